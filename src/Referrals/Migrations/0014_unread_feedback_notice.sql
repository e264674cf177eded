-- The Fallmanager's unread-feedback notice (issue 16): an optional e-mail "3 neue Rückmeldungen" once feedback has been
-- unread for a number of hours. Off unless the user turns it on (no row = off): staff have no e-mail address here.
CREATE TABLE referrals.inbox_notice_settings (
    user_id text PRIMARY KEY,
    email text NOT NULL,
    after_hours integer NOT NULL CHECK (after_hours BETWEEN 1 AND 168),
    updated_at timestamptz NOT NULL
);

-- One row per notice: the batch. Its items point at it (inbox_items.notice_id), so an item is in at most one notice and
-- a notice is never repeated for the same unread items. No content, no client data: the mail is in platform.mail_outbox.
CREATE TABLE referrals.inbox_notices (
    id uuid PRIMARY KEY,
    recipient_user_id text NOT NULL,
    item_count integer NOT NULL,
    mail_id uuid NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX inbox_notices_recipient ON referrals.inbox_notices (recipient_user_id, created_at DESC);

ALTER TABLE referrals.inbox_items ADD COLUMN notice_id uuid;
CREATE INDEX inbox_items_awaiting_notice ON referrals.inbox_items (recipient_user_id, occurred_at)
    WHERE read_at IS NULL AND notice_id IS NULL AND recipient_user_id IS NOT NULL;
