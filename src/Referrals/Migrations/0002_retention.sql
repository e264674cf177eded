-- When the client data of an ended referral was erased (retention): the referral stays for the process figures.
ALTER TABLE referrals.referrals ADD COLUMN erased_at timestamptz;
