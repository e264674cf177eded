-- ASP.NET Core's data-protection key ring (sign-in cookies, anti-forgery tokens, OIDC sign-in state): in the database,
-- so that every app instance reads and writes the same keys and a restart or a new machine keeps users signed in.
CREATE TABLE platform.data_protection_keys (
    friendly_name text PRIMARY KEY,
    xml text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
