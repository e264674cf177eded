-- Cross-cutting tables: demo signing key, audit trail, absences/deputies.
CREATE SCHEMA IF NOT EXISTS platform;

-- Signing keys for tokens this app issues itself (demo mode). Kept in the database so that
-- several instances behind one load balancer accept each other's tokens.
CREATE TABLE platform.signing_keys (
    id text PRIMARY KEY,
    private_key_pem text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Every read and change of client data, consent event, sign-in and refused access.
CREATE TABLE platform.audit_entries (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    user_id text NOT NULL,
    role text NOT NULL,
    action text NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    outcome text NOT NULL DEFAULT 'ok',
    remote_address text,
    detail text,
    previous_hash text NOT NULL DEFAULT '',
    hash text NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_object ON platform.audit_entries (object_type, object_id);
CREATE INDEX audit_entries_user ON platform.audit_entries (user_id, at);

-- A Fallmanager's absence with the deputy who receives feedback and may act meanwhile.
CREATE TABLE platform.absences (
    id uuid PRIMARY KEY,
    case_manager_id text NOT NULL,
    deputy_id text,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on)
);
CREATE INDEX absences_case_manager ON platform.absences (case_manager_id, starts_on, ends_on);
CREATE INDEX absences_deputy ON platform.absences (deputy_id, starts_on, ends_on);
