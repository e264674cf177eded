-- The search document, compact: only what filtering, scoring and facets read stays in the row (PLAIN
-- storage); the full-text vector lives out of line (the GIN index answers the match) and display data
-- is joined from the catalogue tables for the page only. Derived data: dropped and rebuilt.
DROP FUNCTION directory.refresh_service_search(uuid[]);
DROP TABLE directory.service_search;

CREATE TABLE directory.service_search (
    service_id uuid PRIMARY KEY REFERENCES directory.service(id) ON DELETE CASCADE,
    status text NOT NULL,
    categories text[] NOT NULL,      -- taxonomy term codes of taxonomy 'partnerart'
    target_groups text[] NOT NULL,   -- codes of taxonomy 'zielgruppe'
    languages text[] NOT NULL,       -- ISO 639 codes
    district text,
    earth cube,                      -- ll_to_earth(latitude, longitude) of the main location
    step_free boolean NOT NULL,
    minimum_age int,
    maximum_age int,
    opening int4multirange NOT NULL, -- minutes of the week (Monday 00:00 = 0) when open
    capacity_free int,
    waiting_days int,
    verified_at timestamptz,
    sort_name text NOT NULL,         -- lower(service name, organisation name): name order
    title tsvector NOT NULL,         -- service name, categories, organisation: a hit here ranks first
    document tsvector NOT NULL,   -- everything searchable, german stemming over folded text
    modified_at timestamptz NOT NULL
) WITH (toast_tuple_target = 128, fillfactor = 90);
-- PostgreSQL 15 has no STORAGE clause in CREATE TABLE.
ALTER TABLE directory.service_search
    ALTER COLUMN status SET STORAGE PLAIN,
    ALTER COLUMN categories SET STORAGE PLAIN,
    ALTER COLUMN target_groups SET STORAGE PLAIN,
    ALTER COLUMN languages SET STORAGE PLAIN,
    ALTER COLUMN district SET STORAGE PLAIN,
    ALTER COLUMN earth SET STORAGE PLAIN,
    ALTER COLUMN opening SET STORAGE PLAIN,
    ALTER COLUMN sort_name SET STORAGE PLAIN,
    ALTER COLUMN title SET STORAGE PLAIN,
    ALTER COLUMN document SET STORAGE EXTERNAL;

CREATE INDEX service_search_document ON directory.service_search USING gin (document) WITH (fastupdate = off);
CREATE INDEX service_search_categories ON directory.service_search USING gin (categories);
CREATE INDEX service_search_target_groups ON directory.service_search USING gin (target_groups);
CREATE INDEX service_search_languages ON directory.service_search USING gin (languages);
CREATE INDEX service_search_earth ON directory.service_search USING gist (earth);
CREATE INDEX service_search_district ON directory.service_search (district);
CREATE INDEX service_search_sort_name ON directory.service_search (sort_name);
-- Physical order by main category (CLUSTER after bulk loads): a category word reads few pages.
CREATE INDEX service_search_cluster ON directory.service_search ((categories[1]), district);

CREATE FUNCTION directory.refresh_service_search(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM directory.service_search WHERE service_id = ANY(ids);
    INSERT INTO directory.service_search
    SELECT s.id,
           CASE WHEN o.status = 'retired' THEN 'retired'
                WHEN o.status = 'temporarily_closed' AND s.status = 'active' THEN 'temporarily_closed'
                ELSE s.status END,
           coalesce(t.categories, '{}'), coalesce(t.target_groups, '{}'), coalesce(lg.codes, '{}'),
           l.district,
           CASE WHEN l.latitude IS NOT NULL THEN ll_to_earth(l.latitude, l.longitude) END,
           coalesce(l.step_free, false), s.minimum_age, s.maximum_age,
           coalesce(sc.opening, '{}'::int4multirange),
           s.capacity_free, s.waiting_days,
           coalesce(s.verified_at, o.verified_at),
           left(lower(s.name || ' ' || o.name), 120),
           to_tsvector('german', directory.fold(s.name || ' ' || coalesce(t.category_names, '') || ' ' || o.name)),
           setweight(to_tsvector('german', directory.fold(coalesce(s.name, '') || ' ' || coalesce(s.alternate_name, '') || ' ' || coalesce(t.category_names, ''))), 'A')
           || setweight(to_tsvector('german', directory.fold(coalesce(o.name, '') || ' ' || coalesce(o.alternate_name, '') || ' ' || coalesce(t.target_group_names, ''))), 'B')
           || setweight(to_tsvector('german', directory.fold(coalesce(l.address_1, '') || ' ' || coalesce(l.city, '') || ' ' || coalesce(l.region, '') || ' ' || coalesce(l.postal_code, '') || ' ' || coalesce(lg.names, ''))), 'C')
           || setweight(to_tsvector('german', directory.fold(left(coalesce(s.description, ''), 600))), 'D'),
           greatest(s.modified_at, o.modified_at, coalesce(l.modified_at, s.modified_at))
    FROM directory.service s
    JOIN directory.organization o ON o.id = s.organization_id
    LEFT JOIN LATERAL (
        SELECT sal.location_id FROM directory.service_at_location sal
        WHERE sal.service_id = s.id ORDER BY sal.sort_order, sal.id LIMIT 1) main ON true
    LEFT JOIN directory.location l ON l.id = main.location_id
    LEFT JOIN LATERAL (
        SELECT array_agg(tt.code ORDER BY tt.sort_order, tt.code) FILTER (WHERE tx.code = 'partnerart') AS categories,
               array_agg(tt.code ORDER BY tt.sort_order, tt.code) FILTER (WHERE tx.code = 'zielgruppe') AS target_groups,
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
        SELECT regexp_split_to_table(directory.fold(s.name || ' ' || o.name || ' ' || coalesce(l.city, '') || ' ' || coalesce(l.address_1, '')), '[^a-z0-9]+') AS w
        FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
        LEFT JOIN directory.service_at_location sal ON sal.service_id = s.id
        LEFT JOIN directory.location l ON l.id = sal.location_id
        WHERE s.id = ANY(ids)) words
    WHERE length(w) >= 3 AND w !~ '^[0-9]+$'
    ON CONFLICT DO NOTHING;
END $$;

SELECT directory.refresh_service_search(array(SELECT id FROM directory.service));
