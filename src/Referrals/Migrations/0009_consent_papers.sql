-- Consent papers (issue 21): versioned declaration texts per language, the text version and form number a consent was
-- given on, the client's typed name for a digital consent, legal guardianship (Betreuung) of adults, and who revoked.

-- One row per language and version. A version is never changed: a consent keeps pointing at the exact text it was given on.
CREATE TABLE referrals.consent_texts (
    language text NOT NULL,
    version int NOT NULL CHECK (version > 0),
    texts jsonb NOT NULL CHECK (jsonb_typeof(texts) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    PRIMARY KEY (language, version)
);

CREATE FUNCTION referrals.consent_texts_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent text versions are immutable; add a new version instead';
END $$;
CREATE TRIGGER consent_texts_immutable BEFORE UPDATE OR DELETE ON referrals.consent_texts
    FOR EACH ROW EXECUTE FUNCTION referrals.consent_texts_immutable();

ALTER TABLE referrals.consents
    ADD COLUMN form_number text,
    ADD COLUMN text_language text,
    ADD COLUMN text_version int,
    ADD COLUMN german_text_version int,
    ADD COLUMN confirmed_name text,
    ADD COLUMN under_guardianship boolean NOT NULL DEFAULT false,
    ADD COLUMN revoked_by_party text;

-- Rechtliche Betreuung (§ 1814 BGB) of an adult, per case reference: while it is active, the Betreuer/in consents too.
CREATE TABLE referrals.guardianships (
    id uuid PRIMARY KEY,
    case_reference text NOT NULL,
    scope text NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL,
    ended_at timestamptz,
    ended_by text
);
CREATE INDEX guardianships_case ON referrals.guardianships (case_reference) WHERE ended_at IS NULL;
