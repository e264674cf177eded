-- A referral mail the mail server refused for good moves on to the partner's next fallback address (issue 16). One row per
-- refused mail that was moved: keyed by the refused mail, so the move happens once however often the failure is reported.
CREATE TABLE referrals.partner_mail_failovers (
    mail_id uuid PRIMARY KEY,
    referral_id uuid NOT NULL,
    kind text NOT NULL,
    next_recipient text NOT NULL,
    next_mail_id uuid,
    moved_at timestamptz NOT NULL
);
CREATE INDEX partner_mail_failovers_referral ON referrals.partner_mail_failovers (referral_id);
