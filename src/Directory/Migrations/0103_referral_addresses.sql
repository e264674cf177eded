-- Fallback addresses for referral mails (issue 16): an organisation's referral address (organization.referral_email) is
-- followed, in this order, by its fallbacks; a service with fallbacks of its own uses those instead. When the mail server
-- refuses an address for good, the referral mail moves on to the next one (src/Referrals/Prompts/PartnerMailFailover).
CREATE TABLE directory.referral_fallback_address (
    organization_id uuid NOT NULL REFERENCES directory.organization(id),
    service_id uuid REFERENCES directory.service(id),
    position int NOT NULL CHECK (position BETWEEN 1 AND 5),
    email text NOT NULL,
    changed_at timestamptz NOT NULL,
    changed_by text NOT NULL
);
CREATE UNIQUE INDEX referral_fallback_address_org ON directory.referral_fallback_address (organization_id, position) WHERE service_id IS NULL;
CREATE UNIQUE INDEX referral_fallback_address_service ON directory.referral_fallback_address (service_id, position) WHERE service_id IS NOT NULL;
