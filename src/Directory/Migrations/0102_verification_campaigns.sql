-- Verification campaigns (issue 17): the coordination asks partners to confirm or correct their entries.
-- One campaign → one request per organisation (one e-mail to its contact address, with a single-purpose link) →
-- one item per entry of that organisation in the campaign.
CREATE TABLE directory.verification_campaign (
    id uuid PRIMARY KEY,
    title text NOT NULL,
    selection text NOT NULL,                 -- what was chosen, in words ("Prüfung fällig", "Kategorie: Schuldnerberatung")
    created_at timestamptz NOT NULL,
    created_by text NOT NULL,
    reminder_working_days int NOT NULL CHECK (reminder_working_days BETWEEN 1 AND 30),
    max_reminders int NOT NULL CHECK (max_reminders BETWEEN 0 AND 5),
    link_expires_at timestamptz NOT NULL
);

CREATE TABLE directory.verification_request (
    id uuid PRIMARY KEY,
    campaign_id uuid NOT NULL REFERENCES directory.verification_campaign(id),
    organization_id uuid NOT NULL REFERENCES directory.organization(id),
    email text,                              -- NULL: the organisation has no address; listed for a phone call
    sent_at timestamptz,
    opened_at timestamptz,
    answered_at timestamptz,
    reminders int NOT NULL DEFAULT 0,
    last_mail_at timestamptz,
    UNIQUE (campaign_id, organization_id)    -- one mail per partner and campaign, however often "create" is retried
);
CREATE INDEX ON directory.verification_request (answered_at, last_mail_at) WHERE answered_at IS NULL AND email IS NOT NULL;

-- Only hashes of the links are stored; each reminder carries a fresh link, earlier ones stay valid until expiry.
CREATE TABLE directory.verification_link (
    token_hash bytea PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES directory.verification_request(id),
    mail_id uuid                             -- the mail (platform mail outbox) that carried it, for "undeliverable"
);
CREATE INDEX ON directory.verification_link (request_id);

CREATE TABLE directory.verification_item (
    request_id uuid NOT NULL REFERENCES directory.verification_request(id),
    service_id uuid NOT NULL REFERENCES directory.service(id),
    answer text CHECK (answer IN ('unchanged', 'changed')),
    answered_at timestamptz,
    changes jsonb,                           -- the proposed fields (ServiceInput, null = keep)
    note text,
    reviewed_at timestamptz,
    reviewed_by text,
    accepted_fields text[],
    PRIMARY KEY (request_id, service_id)
);
CREATE INDEX ON directory.verification_item (service_id);

-- How an entry was last verified: 'link' (campaign link), 'portal' (partner account), 'telefon', 'pflege', 'import'.
ALTER TABLE directory.service ADD COLUMN verified_via text;
