-- Partner prompts by e-mail (issue 16). Each prompt mail carries a fresh single-purpose access link, so a referral now
-- has several links: the one of the new-referral mail (purpose 'referral', still one per referral, whose neutral
-- reference the prompts repeat) and one per prompt.
ALTER TABLE referrals.partner_access_links ADD COLUMN purpose text NOT NULL DEFAULT 'referral';
ALTER TABLE referrals.partner_access_links DROP CONSTRAINT IF EXISTS partner_access_links_referral_id_key;
ALTER TABLE referrals.partner_access_links DROP CONSTRAINT IF EXISTS partner_access_links_reference_key;
CREATE UNIQUE INDEX partner_access_links_first ON referrals.partner_access_links (referral_id) WHERE purpose = 'referral';
CREATE UNIQUE INDEX partner_access_links_reference ON referrals.partner_access_links (reference) WHERE purpose = 'referral';
CREATE INDEX partner_access_links_referral ON referrals.partner_access_links (referral_id);

-- One row per prompt that was due: the key (referral, kind, occurrence) makes a prompt exactly-once across redelivery,
-- a second poller and restarts. outcome: 'queued' (mail in the outbox), 'off' (the route's switch was off), 'no-address'.
-- No content, no client data: the mail itself is in platform.mail_outbox / platform.mail_log (mail_id).
CREATE TABLE referrals.partner_prompts (
    id uuid PRIMARY KEY,
    referral_id uuid NOT NULL,
    kind text NOT NULL,
    occurrence text NOT NULL,
    recipient text,
    outcome text NOT NULL,
    mail_id uuid,
    created_at timestamptz NOT NULL,
    UNIQUE (referral_id, kind, occurrence)
);
CREATE INDEX partner_prompts_recipient ON referrals.partner_prompts (recipient, created_at) WHERE mail_id IS NOT NULL;

-- A partner address the mail server refused for good: the referral shows "Partner per E-Mail nicht erreichbar".
CREATE TABLE referrals.partner_mail_failures (
    mail_id uuid PRIMARY KEY,
    referral_id uuid NOT NULL,
    kind text NOT NULL,
    failed_at timestamptz NOT NULL
);
CREATE INDEX partner_mail_failures_referral ON referrals.partner_mail_failures (referral_id);
