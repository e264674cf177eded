-- Per-referral access links for partners without an account. Only the SHA-256 of the token is kept.
-- One link per referral (unique): a redelivered ReferralSentToPartner does not create a second one.
-- Until issue 15 the platform migrations created this table in schema platform; a database from then
-- keeps its links (with indexes and constraints) and gets the table moved here, a new one gets it created.
DO $$
BEGIN
    IF to_regclass('platform.partner_access_links') IS NOT NULL
       AND to_regclass('referrals.partner_access_links') IS NULL THEN
        ALTER TABLE platform.partner_access_links SET SCHEMA referrals;
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS referrals.partner_access_links (
    id uuid PRIMARY KEY,
    referral_id uuid NOT NULL UNIQUE,
    organization_id uuid NOT NULL,
    service_id uuid NOT NULL,
    case_manager_id text NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    reference text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    mailed_at timestamptz,
    revoked_at timestamptz,
    revoked_reason text,
    last_used_at timestamptz
);
