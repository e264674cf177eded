-- Partner catalogue, aligned with Open Referral HSDS 3.0 (organization → service → location, joined by
-- service_at_location), plus what job centres need beyond HSDS: capacity, waiting time, verification,
-- cooperation agreement, legal basis/payer, referral e-mail. Every entity has modified_at for
-- `modified_after` in the HSDS API.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

CREATE SCHEMA IF NOT EXISTS directory;

-- Folds German spellings onto one form: Müller/Mueller/Muller → muller, Straße/Strasse → strasse.
-- Used on documents and queries alike, so both sides always meet. (unaccent is only STABLE, hence the wrapper.)
CREATE FUNCTION directory.fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT replace(replace(replace(public.unaccent('public.unaccent'::regdictionary, lower(t)), 'ae', 'a'), 'oe', 'o'), 'ue', 'u')
$$;

-- Taxonomies: partner kinds (categories) and target groups are data coordinators extend.
CREATE TABLE directory.taxonomy (
    id uuid PRIMARY KEY,
    code text NOT NULL UNIQUE,            -- 'partnerart', 'zielgruppe'
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    uri text,
    version text,
    modified_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE directory.taxonomy_term (
    id uuid PRIMARY KEY,
    taxonomy_id uuid NOT NULL REFERENCES directory.taxonomy(id),
    code text NOT NULL,                   -- 'schuldnerberatung', 'u25'
    name text NOT NULL,                   -- 'Schuldnerberatung'
    description text NOT NULL DEFAULT '',
    parent_id uuid REFERENCES directory.taxonomy_term(id),
    term_group text,                      -- e.g. 'Soziale Integration (§16a SGB II)'
    sort_order int NOT NULL DEFAULT 0,
    modified_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (taxonomy_id, code)
);

CREATE TABLE directory.organization (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    alternate_name text,
    description text NOT NULL DEFAULT '',
    email text,
    referral_email text,                  -- where referrals are sent when the service has none of its own
    website text,
    legal_status text,                    -- 'e. V.', 'gGmbH', 'Körperschaft des öffentlichen Rechts'
    year_incorporated int,
    cooperation_agreement boolean NOT NULL DEFAULT false,
    cooperation_since date,
    cooperation_note text,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'temporarily_closed', 'retired')),
    verified_at timestamptz,
    verified_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    modified_at timestamptz NOT NULL DEFAULT now(),
    modified_by text
);

CREATE TABLE directory.location (
    id uuid PRIMARY KEY,
    organization_id uuid REFERENCES directory.organization(id),
    location_type text NOT NULL DEFAULT 'physical' CHECK (location_type IN ('physical', 'postal', 'virtual')),
    name text NOT NULL,
    alternate_name text,
    description text NOT NULL DEFAULT '',
    transportation text,                  -- 'Bus 101, Haltestelle Markt'
    url text,
    -- address (HSDS keeps addresses in their own table; a location here has one physical address)
    address_1 text,                       -- street and number
    address_2 text,
    postal_code text,
    city text,                            -- town
    district text,                        -- Landkreis / kreisfreie Stadt
    region text,                          -- Ortsteil
    state_province text NOT NULL DEFAULT 'Sachsen',
    country text NOT NULL DEFAULT 'DE',
    latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    step_free boolean NOT NULL DEFAULT false,   -- stufenloser Zugang (wheelchair access)
    modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON directory.location (organization_id);

CREATE TABLE directory.accessibility (
    id uuid PRIMARY KEY,
    location_id uuid NOT NULL REFERENCES directory.location(id) ON DELETE CASCADE,
    description text NOT NULL,            -- 'Rollstuhlgerechter Eingang', 'Aufzug', 'Behinderten-WC'
    details text,
    url text,
    modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON directory.accessibility (location_id);

CREATE TABLE directory.service (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES directory.organization(id),
    name text NOT NULL,
    alternate_name text,
    description text NOT NULL DEFAULT '',
    url text,
    email text,
    referral_email text,                  -- overrides the organisation's referral e-mail
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'temporarily_closed', 'retired')),
    interpretation_services text,
    application_process text,
    fees_description text,
    accreditations text,
    eligibility_description text,
    minimum_age int CHECK (minimum_age >= 0),
    maximum_age int CHECK (maximum_age >= 0),
    alert text,
    legal_basis text,                     -- '§16a SGB II', '§16d SGB II', 'SGB VIII', 'SGB III', 'Eigenmittel'
    payer text,                           -- 'Landkreis', 'Jobcenter', 'Land Sachsen', ...
    capacity_free int CHECK (capacity_free >= 0),
    capacity_updated_at timestamptz,
    capacity_updated_by text,
    waiting_days int CHECK (waiting_days >= 0),
    waiting_updated_at timestamptz,
    waiting_updated_by text,
    verified_at timestamptz,
    verified_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    modified_at timestamptz NOT NULL DEFAULT now(),
    modified_by text,
    CHECK (maximum_age IS NULL OR minimum_age IS NULL OR maximum_age >= minimum_age)
);
CREATE INDEX ON directory.service (organization_id);
CREATE INDEX ON directory.service (modified_at);

CREATE TABLE directory.service_taxonomy_term (
    service_id uuid NOT NULL REFERENCES directory.service(id) ON DELETE CASCADE,
    taxonomy_term_id uuid NOT NULL REFERENCES directory.taxonomy_term(id),
    PRIMARY KEY (service_id, taxonomy_term_id)
);
CREATE INDEX ON directory.service_taxonomy_term (taxonomy_term_id);

CREATE TABLE directory.service_at_location (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES directory.service(id) ON DELETE CASCADE,
    location_id uuid NOT NULL REFERENCES directory.location(id),
    description text,
    sort_order int NOT NULL DEFAULT 0,     -- 0 = main location (shown in search)
    modified_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (service_id, location_id)
);
CREATE INDEX ON directory.service_at_location (location_id);

CREATE TABLE directory.contact (
    id uuid PRIMARY KEY,
    organization_id uuid REFERENCES directory.organization(id) ON DELETE CASCADE,
    service_id uuid REFERENCES directory.service(id) ON DELETE CASCADE,
    service_at_location_id uuid REFERENCES directory.service_at_location(id) ON DELETE CASCADE,
    location_id uuid REFERENCES directory.location(id) ON DELETE CASCADE,
    name text,
    title text,
    department text,
    email text,
    modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON directory.contact (service_id);
CREATE INDEX ON directory.contact (organization_id);

CREATE TABLE directory.phone (
    id uuid PRIMARY KEY,
    organization_id uuid REFERENCES directory.organization(id) ON DELETE CASCADE,
    service_id uuid REFERENCES directory.service(id) ON DELETE CASCADE,
    location_id uuid REFERENCES directory.location(id) ON DELETE CASCADE,
    contact_id uuid REFERENCES directory.contact(id) ON DELETE CASCADE,
    service_at_location_id uuid REFERENCES directory.service_at_location(id) ON DELETE CASCADE,
    number text NOT NULL,
    extension text,
    type text CHECK (type IN ('text', 'voice', 'fax', 'cell', 'video', 'pager', 'textphone')),
    description text,
    modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON directory.phone (service_id);
CREATE INDEX ON directory.phone (organization_id);
CREATE INDEX ON directory.phone (location_id);

-- Opening hours: one row per weekday and time span (HSDS schedule with freq=WEEKLY, byday=MO..SU).
CREATE TABLE directory.schedule (
    id uuid PRIMARY KEY,
    service_id uuid REFERENCES directory.service(id) ON DELETE CASCADE,
    location_id uuid REFERENCES directory.location(id) ON DELETE CASCADE,
    service_at_location_id uuid REFERENCES directory.service_at_location(id) ON DELETE CASCADE,
    weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- ISO: 1 = Montag … 7 = Sonntag
    opens_at time NOT NULL,
    closes_at time NOT NULL,
    valid_from date,
    valid_to date,
    description text,                     -- 'Offene Sprechstunde', 'nur mit Termin'
    attending_type text,                  -- 'in Person', 'telefonisch', 'online'
    notes text,
    modified_at timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_at > opens_at)
);
CREATE INDEX ON directory.schedule (service_id);
CREATE INDEX ON directory.schedule (location_id);

CREATE TABLE directory.language (
    id uuid PRIMARY KEY,
    service_id uuid REFERENCES directory.service(id) ON DELETE CASCADE,
    location_id uuid REFERENCES directory.location(id) ON DELETE CASCADE,
    phone_id uuid REFERENCES directory.phone(id) ON DELETE CASCADE,
    code text NOT NULL,                   -- ISO 639-1: de, en, ar, ru, uk, tr, pl, ...
    name text NOT NULL,                   -- 'Arabisch'
    note text,
    modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON directory.language (service_id);

CREATE TABLE directory.cost_option (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES directory.service(id) ON DELETE CASCADE,
    valid_from date,
    valid_to date,
    option text,
    currency text,
    amount numeric(10, 2),
    amount_description text,
    modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON directory.cost_option (service_id);

CREATE TABLE directory.required_document (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES directory.service(id) ON DELETE CASCADE,
    document text NOT NULL,
    uri text,
    modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON directory.required_document (service_id);

CREATE TABLE directory.service_area (
    id uuid PRIMARY KEY,
    service_id uuid REFERENCES directory.service(id) ON DELETE CASCADE,
    service_at_location_id uuid REFERENCES directory.service_at_location(id) ON DELETE CASCADE,
    name text NOT NULL,                   -- 'Stadt Kamenz', 'Landkreis Bautzen'
    description text,
    extent text,
    extent_type text,
    uri text,
    modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON directory.service_area (service_id);

-- Postcodes known to the system, for near=<postcode>.
CREATE TABLE directory.postcode (
    postcode text NOT NULL,
    town text NOT NULL,
    district text NOT NULL,
    latitude double precision NOT NULL,
    longitude double precision NOT NULL,
    PRIMARY KEY (postcode, town)
);

-- Abbreviations and synonyms coordinators maintain: a query word expands to one or more phrases.
CREATE TABLE directory.search_synonym (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    term text NOT NULL,                   -- as typed: 'ASD', 'Kita', 'Drogen'
    expansions text[] NOT NULL,           -- {'Allgemeiner Sozialer Dienst', 'Jugendamt'}
    note text,
    modified_at timestamptz NOT NULL DEFAULT now(),
    modified_by text
);
CREATE UNIQUE INDEX search_synonym_term ON directory.search_synonym (directory.fold(term));

-- The search document: one row per service (with its main location), denormalised so that one
-- index scan answers text, filters, facets and distance. Rebuilt by refresh_service_search().
CREATE TABLE directory.service_search (
    service_id uuid PRIMARY KEY REFERENCES directory.service(id) ON DELETE CASCADE,
    organization_id uuid NOT NULL,
    service_name text NOT NULL,
    organization_name text NOT NULL,
    status text NOT NULL,
    categories text[] NOT NULL,           -- taxonomy term codes of taxonomy 'partnerart'
    target_groups text[] NOT NULL,        -- codes of taxonomy 'zielgruppe'
    languages text[] NOT NULL,            -- ISO 639-1 codes
    location_id uuid,
    location_name text,
    address_1 text,
    postal_code text,
    city text,
    district text,
    latitude double precision,
    longitude double precision,
    earth cube,                           -- ll_to_earth(latitude, longitude), for radius and KNN
    step_free boolean NOT NULL,
    minimum_age int,
    maximum_age int,
    opening int4multirange NOT NULL,      -- minutes of the week (Monday 00:00 = 0) when open
    capacity_free int,
    capacity_updated_at timestamptz,
    waiting_days int,
    waiting_updated_at timestamptz,
    verified_at timestamptz,
    document tsvector NOT NULL,           -- german stemming over folded text, weighted A–D
    modified_at timestamptz NOT NULL
);
CREATE INDEX service_search_document ON directory.service_search USING gin (document);
CREATE INDEX service_search_categories ON directory.service_search USING gin (categories);
CREATE INDEX service_search_target_groups ON directory.service_search USING gin (target_groups);
CREATE INDEX service_search_languages ON directory.service_search USING gin (languages);
CREATE INDEX service_search_earth ON directory.service_search USING gist (earth);
CREATE INDEX service_search_district ON directory.service_search (district);
CREATE INDEX service_search_name ON directory.service_search (lower(service_name));

-- Every (folded) word of names, categories, towns and streets: query words are checked and typo-corrected
-- against this small table instead of the whole catalogue.
CREATE TABLE directory.search_vocabulary (
    word text COLLATE "C" PRIMARY KEY
);
CREATE INDEX search_vocabulary_trgm ON directory.search_vocabulary USING gist (word gist_trgm_ops);

CREATE FUNCTION directory.refresh_service_search(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM directory.service_search WHERE service_id = ANY(ids);
    INSERT INTO directory.service_search
    SELECT s.id, s.organization_id, s.name, o.name,
           CASE WHEN o.status = 'retired' THEN 'retired'
                WHEN o.status = 'temporarily_closed' AND s.status = 'active' THEN 'temporarily_closed'
                ELSE s.status END,
           coalesce(t.categories, '{}'), coalesce(t.target_groups, '{}'), coalesce(lg.codes, '{}'),
           l.id, l.name, l.address_1, l.postal_code, l.city, l.district, l.latitude, l.longitude,
           CASE WHEN l.latitude IS NOT NULL THEN ll_to_earth(l.latitude, l.longitude) END,
           coalesce(l.step_free, false), s.minimum_age, s.maximum_age,
           coalesce(sc.opening, '{}'::int4multirange),
           s.capacity_free, s.capacity_updated_at, s.waiting_days, s.waiting_updated_at,
           coalesce(s.verified_at, o.verified_at),
           setweight(to_tsvector('german', directory.fold(coalesce(s.name, '') || ' ' || coalesce(s.alternate_name, '') || ' ' || coalesce(t.category_names, ''))), 'A')
           || setweight(to_tsvector('german', directory.fold(coalesce(o.name, '') || ' ' || coalesce(o.alternate_name, '') || ' ' || coalesce(t.target_group_names, ''))), 'B')
           || setweight(to_tsvector('german', directory.fold(coalesce(l.address_1, '') || ' ' || coalesce(l.city, '') || ' ' || coalesce(l.region, '') || ' ' || coalesce(l.postal_code, '') || ' ' || coalesce(l.name, '') || ' ' || coalesce(lg.names, ''))), 'C')
           || setweight(to_tsvector('german', directory.fold(left(coalesce(s.description, ''), 600))), 'D'),
           greatest(s.modified_at, o.modified_at, coalesce(l.modified_at, s.modified_at))
    FROM directory.service s
    JOIN directory.organization o ON o.id = s.organization_id
    LEFT JOIN LATERAL (
        SELECT sal.location_id FROM directory.service_at_location sal
        WHERE sal.service_id = s.id ORDER BY sal.sort_order, sal.id LIMIT 1) main ON true
    LEFT JOIN directory.location l ON l.id = main.location_id
    LEFT JOIN LATERAL (
        SELECT array_agg(tt.code ORDER BY tt.code) FILTER (WHERE tx.code = 'partnerart') AS categories,
               array_agg(tt.code ORDER BY tt.code) FILTER (WHERE tx.code = 'zielgruppe') AS target_groups,
               string_agg(tt.name, ' ') FILTER (WHERE tx.code = 'partnerart') AS category_names,
               string_agg(tt.name, ' ') FILTER (WHERE tx.code = 'zielgruppe') AS target_group_names
        FROM directory.service_taxonomy_term stt
        JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
        JOIN directory.taxonomy tx ON tx.id = tt.taxonomy_id
        WHERE stt.service_id = s.id) t ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(DISTINCT lang.code) AS codes, string_agg(lang.name, ' ') AS names
        FROM directory.language lang WHERE lang.service_id = s.id) lg ON true
    LEFT JOIN LATERAL (
        SELECT range_agg(int4range((sch.weekday - 1) * 1440 + extract(hour FROM sch.opens_at)::int * 60 + extract(minute FROM sch.opens_at)::int,
                                   (sch.weekday - 1) * 1440 + extract(hour FROM sch.closes_at)::int * 60 + extract(minute FROM sch.closes_at)::int)) AS opening
        FROM directory.schedule sch
        WHERE sch.service_id = s.id AND (sch.valid_to IS NULL OR sch.valid_to >= current_date)) sc ON true
    WHERE s.id = ANY(ids);

    INSERT INTO directory.search_vocabulary (word)
    SELECT DISTINCT w FROM (
        SELECT regexp_split_to_table(directory.fold(
                   ss.service_name || ' ' || ss.organization_name || ' ' || coalesce(ss.city, '') || ' ' ||
                   coalesce(ss.address_1, '') || ' ' || coalesce(ss.location_name, '')), '[^a-z0-9]+') AS w
        FROM directory.service_search ss WHERE ss.service_id = ANY(ids)) words
    WHERE length(w) >= 3 AND w !~ '^[0-9]+$'
    ON CONFLICT DO NOTHING;
END $$;

-- Category and target-group names (and synonym phrases) join the vocabulary too.
CREATE FUNCTION directory.refresh_vocabulary() RETURNS void
LANGUAGE sql AS $$
    INSERT INTO directory.search_vocabulary (word)
    SELECT DISTINCT w FROM (
        SELECT regexp_split_to_table(directory.fold(name), '[^a-z0-9]+') AS w FROM directory.taxonomy_term
        UNION ALL
        SELECT regexp_split_to_table(directory.fold(array_to_string(expansions, ' ') || ' ' || term), '[^a-z0-9]+') FROM directory.search_synonym) words
    WHERE length(w) >= 3 AND w !~ '^[0-9]+$'
    ON CONFLICT DO NOTHING
$$;
