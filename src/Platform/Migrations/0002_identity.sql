-- Identity features: known users (for team/deputy checks).
-- (Partner access links, created here until issue 15, are the Referrals module's: referrals/0004.)

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
