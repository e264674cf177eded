-- The state machine instance moves onto the referral's own row (EF Core table splitting, see ReferralsDb): every
-- transition changed both rows, so it now writes one row instead of two, and loading a referral with its state reads one.
-- The referral row's xmin is the optimistic concurrency token from here on. (The referrals module migrates first, so
-- its table exists when this runs.)
ALTER TABLE referrals.referrals
    ADD COLUMN current_state text,
    ADD COLUMN appointment_at timestamptz;

UPDATE referrals.referrals r
SET current_state = s.current_state, appointment_at = s.appointment_at
FROM workflows.referral_states s
WHERE s.correlation_id = r.id;

-- Every referral is created together with its state; should one lack it, its status says where it stands.
UPDATE referrals.referrals
SET current_state = CASE status
    WHEN 'draft' THEN 'Draft' WHEN 'requested' THEN 'Requested' WHEN 'accepted' THEN 'Accepted'
    WHEN 'rejected' THEN 'Rejected' WHEN 'cancelled' THEN 'Cancelled' WHEN 'in-progress' THEN 'InProgress'
    WHEN 'on-hold' THEN 'OnHold' WHEN 'completed' THEN 'Completed' WHEN 'failed' THEN 'Failed'
    ELSE 'EnteredInError' END
WHERE current_state IS NULL;

ALTER TABLE referrals.referrals ALTER COLUMN current_state SET NOT NULL;
DROP TABLE workflows.referral_states;
