-- Referrals, consents, history, partner feedback, the Fallmanager's feedback inbox, referral routes.
CREATE SCHEMA IF NOT EXISTS referrals;

-- How referrals to one kind of partner run. Versioned: a running referral keeps its version.
CREATE TABLE referrals.routes (
    category_code text NOT NULL,
    version int NOT NULL,
    name text NOT NULL,
    required_categories text[] NOT NULL,
    response_working_days int NOT NULL,
    reminder_working_days int[] NOT NULL,
    escalation_working_days int NOT NULL,
    escalation_target text NOT NULL,
    default_feedback_level text NOT NULL,
    forwarding_allowed boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    PRIMARY KEY (category_code, version)
);

CREATE TABLE referrals.consents (
    id uuid PRIMARY KEY,
    case_reference text NOT NULL,
    organization_id uuid NOT NULL,
    purpose text NOT NULL,
    data_categories text[] NOT NULL,
    feedback_level text NOT NULL,
    form text NOT NULL,
    given_on date NOT NULL,
    expires_on date,
    client_is_minor boolean NOT NULL DEFAULT false,
    guardian_name text,
    evidence_content_type text,
    evidence bytea,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_by text
);
CREATE INDEX consents_case ON referrals.consents (case_reference, organization_id);

CREATE TABLE referrals.referrals (
    id uuid PRIMARY KEY,
    case_reference text NOT NULL,
    service_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    case_manager_id text NOT NULL,
    team text,
    reason text NOT NULL,
    contact_details text,
    health_information text,
    urgency text NOT NULL,
    shared_categories text[] NOT NULL,
    cooperation_plan_goal text,
    note text,
    status text NOT NULL,
    route_category text NOT NULL,
    route_version int NOT NULL,
    consent_id uuid REFERENCES referrals.consents (id),
    feedback_level text NOT NULL,
    created_at timestamptz NOT NULL,
    sent_at timestamptz,
    response_due_at timestamptz,
    attendance_due_at timestamptz,
    closed_at timestamptz,
    outcome_reason text,
    updated_at timestamptz NOT NULL
);
CREATE INDEX referrals_case_manager ON referrals.referrals (case_manager_id, status);
CREATE INDEX referrals_organization ON referrals.referrals (organization_id, status);
CREATE INDEX referrals_consent ON referrals.referrals (consent_id);
CREATE INDEX referrals_team ON referrals.referrals (team, status);

-- Every transition with who and when.
CREATE TABLE referrals.history (
    id bigserial PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referrals.referrals (id),
    at timestamptz NOT NULL,
    from_status text,
    to_status text NOT NULL,
    event text NOT NULL,
    by_user text NOT NULL,
    by_role text NOT NULL,
    detail text
);
CREATE INDEX history_referral ON referrals.history (referral_id, id);

-- What the partner reported (the texts stay here; messages only carry the id).
CREATE TABLE referrals.feedback (
    id uuid PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referrals.referrals (id),
    kind text NOT NULL,
    reason_code text,
    attended boolean,
    appointment_at timestamptz,
    proposed_service_id uuid,
    note text,
    by_user text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX feedback_referral ON referrals.feedback (referral_id, at);

-- The Fallmanager's feedback inbox: addressed to a user (FM or deputy), else to a team (and role).
CREATE TABLE referrals.inbox_items (
    id uuid PRIMARY KEY,
    referral_id uuid NOT NULL,
    source_message_id uuid NOT NULL UNIQUE,
    kind text NOT NULL,
    title text NOT NULL,
    recipient_user_id text,
    recipient_team text,
    recipient_role text,
    case_manager_id text NOT NULL,
    feedback_id uuid,
    occurred_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    read_at timestamptz
);
CREATE INDEX inbox_user ON referrals.inbox_items (recipient_user_id, created_at DESC);
CREATE INDEX inbox_team ON referrals.inbox_items (recipient_team, created_at DESC) WHERE recipient_user_id IS NULL;
CREATE INDEX inbox_referral ON referrals.inbox_items (referral_id);
