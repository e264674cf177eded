-- Figures per route (issue 16): how many partner prompts a referral needed. Counted into its fact row when a prompt mail is
-- queued (a row of referrals.partner_prompts with outcome 'queued'), by a trigger on that table: the lifecycle's own
-- writes and refresh_referral_facts stay as they were (refresh leaves the column alone; a new fact row starts at 0,
-- and prompts only follow the sending).
ALTER TABLE referrals.referral_facts ADD COLUMN prompts smallint NOT NULL DEFAULT 0;

UPDATE referrals.referral_facts f SET prompts = p.n
FROM (SELECT referral_id, count(*) AS n FROM referrals.partner_prompts WHERE outcome = 'queued' GROUP BY referral_id) p
WHERE p.referral_id = f.referral_id;

CREATE OR REPLACE FUNCTION referrals.count_partner_prompt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE referrals.referral_facts SET prompts = prompts + 1 WHERE referral_id = NEW.referral_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER partner_prompts_counted AFTER INSERT ON referrals.partner_prompts
    FOR EACH ROW WHEN (NEW.outcome = 'queued') EXECUTE FUNCTION referrals.count_partner_prompt();
