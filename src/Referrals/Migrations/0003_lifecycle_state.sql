-- The state machine instance lives on the referral's own row (EF Core table splitting, see ReferralsDb): a transition
-- writes one row, and loading a referral with its state reads one; the row's xmin is the optimistic concurrency token.
-- Databases migrated before issue 15 got these columns from workflows/0002 (since removed); hence IF NOT EXISTS.
ALTER TABLE referrals.referrals
    ADD COLUMN IF NOT EXISTS current_state text,
    ADD COLUMN IF NOT EXISTS appointment_at timestamptz;

-- A database that still has the old instance table (workflows/0001 ran, workflows/0002 did not) copies from it.
DO $$
BEGIN
    IF to_regclass('workflows.referral_states') IS NOT NULL THEN
        UPDATE referrals.referrals r
        SET current_state = s.current_state, appointment_at = s.appointment_at
        FROM workflows.referral_states s
        WHERE s.correlation_id = r.id AND r.current_state IS NULL;
    END IF;
END $$;

-- Otherwise the status says where a referral stands (the stored state names are ReferralStateMachine.StateNames).
UPDATE referrals.referrals
SET current_state = CASE status
    WHEN 'draft' THEN 'Draft' WHEN 'requested' THEN 'Requested' WHEN 'accepted' THEN 'Accepted'
    WHEN 'rejected' THEN 'Rejected' WHEN 'cancelled' THEN 'Cancelled' WHEN 'in-progress' THEN 'InProgress'
    WHEN 'on-hold' THEN 'OnHold' WHEN 'completed' THEN 'Completed' WHEN 'failed' THEN 'Failed'
    ELSE 'EnteredInError' END
WHERE current_state IS NULL;

ALTER TABLE referrals.referrals ALTER COLUMN current_state SET NOT NULL;

-- The message contracts moved into this module (namespace Netzwerk.Referrals.Lifecycle.Contracts): messages written
-- before and not yet published keep their meaning under the new names. (On a new database the outbox comes later.)
DO $$
BEGIN
    IF to_regclass('workflows.outbox') IS NOT NULL THEN
        UPDATE workflows.outbox
        SET message_type = replace(message_type, 'Netzwerk.Workflows.Contracts.', 'Netzwerk.Referrals.Lifecycle.Contracts.')
        WHERE sent_at IS NULL AND message_type LIKE 'Netzwerk.Workflows.Contracts.%';
    END IF;
END $$;
