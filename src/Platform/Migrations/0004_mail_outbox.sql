-- Outgoing e-mail, written by the feature in the same transaction as the change it reports and sent by MailOutboxSender.
-- A mail that could not be sent stays here (attempts, last_error, next_attempt_at) until it goes out; administrators
-- see the pending ones. The id is the mail's Message-ID, so a resend after a crash is recognisable as the same mail.
CREATE TABLE platform.mail_outbox (
    id uuid PRIMARY KEY,
    kind text NOT NULL,
    recipient text NOT NULL,
    subject text NOT NULL,
    body text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    attempts int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    claimed_until timestamptz,
    last_error text,
    sent_at timestamptz
);
CREATE INDEX mail_outbox_due ON platform.mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX mail_outbox_sent ON platform.mail_outbox (sent_at) WHERE sent_at IS NOT NULL;
