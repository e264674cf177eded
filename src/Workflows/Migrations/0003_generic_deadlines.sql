-- Databases created before issue 15: deadlines belonged to referrals (column referral_id). They now belong to whichever
-- module scheduled them — an owner (the module's name) and a subject (the module's own id) — so that the poller asks the
-- owner whether a due deadline still applies instead of reading the owner's tables. A database created since has that
-- shape from 0001 already; every statement here is a no-op there.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = 'workflows' AND table_name = 'deadlines' AND column_name = 'referral_id') THEN
        ALTER TABLE workflows.deadlines RENAME COLUMN referral_id TO subject_id;
        ALTER TABLE workflows.deadlines ADD COLUMN owner text NOT NULL DEFAULT 'referrals';
        ALTER TABLE workflows.deadlines ALTER COLUMN owner DROP DEFAULT;
    END IF;
END $$;
DROP INDEX IF EXISTS workflows.deadlines_referral;
CREATE INDEX IF NOT EXISTS deadlines_subject ON workflows.deadlines (owner, subject_id);
-- The old instance table; referrals/0003 copied what it still held onto the referral's own row.
DROP TABLE IF EXISTS workflows.referral_states;
