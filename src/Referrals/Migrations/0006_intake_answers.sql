-- The Fallmanager's answers to the route's intake questions, each with the question's text and category as asked
-- (src/Referrals/Create/IntakeAnswers.cs). Null when the route asks nothing; erased with the other client data.
ALTER TABLE referrals.referrals
    ADD COLUMN intake_answers jsonb,
    ADD CONSTRAINT referrals_intake_answers_array CHECK (intake_answers IS NULL OR jsonb_typeof(intake_answers) = 'array');
