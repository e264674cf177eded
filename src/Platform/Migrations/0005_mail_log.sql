-- The sent-mail log for the audit: who got which kind of mail about which subject (a feature's id, e.g. a referral) and
-- when it was queued, sent or given up — never the subject line or the body. It outlives the outbox rows, which are
-- deleted 30 days after sending. A mail the server refuses for good (5xx) is not retried: failed_at.
ALTER TABLE platform.mail_outbox
    ADD COLUMN subject_id uuid,
    ADD COLUMN failed_at timestamptz;

CREATE TABLE platform.mail_log (
    mail_id uuid PRIMARY KEY,
    kind text NOT NULL,
    recipient text NOT NULL,
    subject_id uuid,
    queued_at timestamptz NOT NULL,
    sent_at timestamptz,
    failed_at timestamptz,
    error text
);
CREATE INDEX mail_log_subject ON platform.mail_log (subject_id) WHERE subject_id IS NOT NULL;
CREATE INDEX mail_log_recipient ON platform.mail_log (recipient, queued_at);
