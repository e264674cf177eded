-- Deadlines belong to whichever module scheduled them: a subject (the module's own id) and an owner (the module's name),
-- so that the poller can ask the owner whether a due deadline still applies instead of reading the owner's tables.
ALTER TABLE workflows.deadlines RENAME COLUMN referral_id TO subject_id;
ALTER TABLE workflows.deadlines ADD COLUMN owner text NOT NULL DEFAULT 'referrals';
ALTER TABLE workflows.deadlines ALTER COLUMN owner DROP DEFAULT;
DROP INDEX IF EXISTS workflows.deadlines_referral;
CREATE INDEX deadlines_subject ON workflows.deadlines (owner, subject_id);
-- Left over from before referrals/0003 (which copied what it held onto the referral's own row).
DROP TABLE IF EXISTS workflows.referral_states;
