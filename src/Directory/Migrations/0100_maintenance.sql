-- Catalogue maintenance: change history, partner proposals, import keys.

-- Who changed which field of an entry, when, from what to what. Written by coordinator edits,
-- partner availability updates, accepted proposals and imports, in the same transaction as the change.
CREATE TABLE directory.change_history (
    id bigserial PRIMARY KEY,
    entity_type text NOT NULL CHECK (entity_type IN ('service', 'organization')),
    entity_id uuid NOT NULL,
    changed_at timestamptz NOT NULL,
    changed_by text NOT NULL,
    source text NOT NULL,                 -- 'pflege', 'partner', 'vorschlag', 'import'
    field text NOT NULL,
    old_value text,
    new_value text
);
CREATE INDEX ON directory.change_history (entity_type, entity_id, changed_at DESC);

-- A partner's change to its own service that a coordinator accepts (applied with history) or rejects (with a reason).
CREATE TABLE directory.service_proposal (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES directory.service(id),
    organization_id uuid NOT NULL,
    proposed_by text NOT NULL,
    proposed_at timestamptz NOT NULL,
    changes jsonb NOT NULL,               -- the complete proposed entry (ServiceInput)
    note text,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    decided_by text,
    decided_at timestamptz,
    reason text
);
CREATE INDEX ON directory.service_proposal (status, proposed_at);
CREATE INDEX ON directory.service_proposal (service_id);

-- External ids from imported lists (a column "ID" in a partner's Excel list), so a re-import updates
-- the same entry instead of creating a second one.
CREATE TABLE directory.import_key (
    entity_type text NOT NULL CHECK (entity_type IN ('service', 'organization')),
    external_id text NOT NULL,
    entity_id uuid NOT NULL,
    PRIMARY KEY (entity_type, external_id)
);

-- Matching re-imported rows without an id: organisation name + service name + postcode.
CREATE INDEX IF NOT EXISTS organization_folded_name ON directory.organization (directory.fold(name));
