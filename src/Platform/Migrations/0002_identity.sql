-- Identity features: known users (for team/deputy checks) and partner access links.

-- Everyone who signed in at least once (staff and partner accounts), with role and team as their
-- provider said at the last sign-in. Used to check that a deputy belongs to the same team.
CREATE TABLE platform.users (
    id text PRIMARY KEY,
    display_name text NOT NULL,
    role text NOT NULL,
    team text,
    organization_id uuid,
    last_sign_in timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_team ON platform.users (team);

-- Per-referral access links for partners without an account. Only the SHA-256 of the token is kept.
-- One link per referral (unique): a redelivered ReferralSentToPartner does not create a second one.
CREATE TABLE platform.partner_access_links (
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
