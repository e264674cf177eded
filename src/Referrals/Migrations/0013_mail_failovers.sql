-- A referral mail the mail server refused for good moves on to the partner's next fallback address (issue 16). One row per
-- refused mail that was moved: keyed by the refused mail, so the move happens once however often the failure is reported.
CREATE TABLE referrals.partner_mail_failovers (
    mail_id uuid PRIMARY KEY,
    referral_id uuid NOT NULL,
    kind text NOT NULL,
    next_recipient text NOT NULL,
    next_mail_id uuid,
    moved_at timestamptz NOT NULL
);
CREATE INDEX partner_mail_failovers_referral ON referrals.partner_mail_failovers (referral_id);

-- Digest delivery (issue 16): a partner organisation chooses to get its prompts immediately or collected in one mail per
-- recipient per day or week. A prompt for a digest partner waits here (no link yet: the link is made when the digest is
-- written, so no secret is stored) until due_at; the digest sender writes one mail per recipient and due time and marks
-- the items with its id in the same transaction — exactly once.
CREATE TABLE referrals.partner_mail_delivery (
    organization_id uuid PRIMARY KEY,
    delivery text NOT NULL CHECK (delivery IN ('immediate', 'daily', 'weekly')),
    changed_at timestamptz NOT NULL,
    changed_by text NOT NULL
);

CREATE TABLE referrals.partner_digest_items (
    prompt_id uuid PRIMARY KEY,
    referral_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    service_id uuid NOT NULL,
    case_manager_id text NOT NULL,
    kind text NOT NULL,
    recipient text NOT NULL,
    reference text NOT NULL,
    organization_name text NOT NULL,
    service_name text NOT NULL,
    created_at timestamptz NOT NULL,
    due_at timestamptz NOT NULL,
    mail_id uuid
);
CREATE INDEX partner_digest_items_due ON referrals.partner_digest_items (due_at) WHERE mail_id IS NULL;
