-- Generic messaging tables: transactional outbox, durable deadlines and the inbox of handled message ids that
-- makes consumers idempotent. (Databases created before issue 15 got a module's instance table and a module-specific
-- deadline column from this file; 0003 brings them to this shape.)
CREATE SCHEMA IF NOT EXISTS workflows;

-- Messages written in the same transaction as the state change; the dispatcher publishes them.
CREATE TABLE workflows.outbox (
    id uuid PRIMARY KEY,                 -- becomes the MessageId: redelivery keeps the same id
    message_type text NOT NULL,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at timestamptz,
    attempts int NOT NULL DEFAULT 0,
    last_error text
);
CREATE INDEX outbox_pending ON workflows.outbox (created_at) WHERE sent_at IS NULL;

-- Wake the dispatcher on commit instead of waiting for its next poll.
CREATE FUNCTION workflows.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('workflows_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON workflows.outbox
    FOR EACH STATEMENT EXECUTE FUNCTION workflows.notify_outbox();

-- Durable timers: no delayed-message exchange exists, so deadlines live here and a poller fires them.
CREATE TABLE workflows.deadlines (
    id uuid PRIMARY KEY,
    owner text NOT NULL,                 -- the module that scheduled it and decides when it falls due
    subject_id uuid NOT NULL,            -- the owner's id of what it times
    kind text NOT NULL,
    due_at timestamptz NOT NULL,
    detail text,
    created_at timestamptz NOT NULL DEFAULT now(),
    fired_at timestamptz,
    cancelled_at timestamptz
);
CREATE INDEX deadlines_due ON workflows.deadlines (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX deadlines_subject ON workflows.deadlines (owner, subject_id);

-- Message ids a consumer has handled, written in the same transaction as its effect.
CREATE TABLE workflows.handled_messages (
    consumer text NOT NULL,
    message_id uuid NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);
