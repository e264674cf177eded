-- The search document is upserted, not deleted and re-inserted: two transactions refreshing the same service at
-- once (a service saved while its organisation is saved) both deleted nothing and then both inserted, and the
-- second failed on the primary key. With ON CONFLICT the second waits for the first and overwrites its row.
CREATE OR REPLACE FUNCTION directory.refresh_service_search(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO directory.service_search AS ss
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
           left(lower(s.name || ' ' || o.name), 60),
           to_tsvector('german', directory.fold(s.name || ' ' || coalesce(t.category_names, '') || ' ' || o.name)),
           strip(to_tsvector('german', directory.fold(
               coalesce(s.name, '') || ' ' || coalesce(s.alternate_name, '') || ' ' || coalesce(t.category_names, '') || ' ' ||
               coalesce(o.name, '') || ' ' || coalesce(o.alternate_name, '') || ' ' || coalesce(t.target_group_names, '') || ' ' ||
               coalesce(l.address_1, '') || ' ' || coalesce(l.city, '') || ' ' || coalesce(l.region, '') || ' ' || coalesce(l.postal_code, '') || ' ' ||
               coalesce(lg.names, '') || ' ' || left(coalesce(s.description, ''), 400)))),
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
    WHERE s.id = ANY(ids) AND s.status <> 'retired' AND o.status <> 'retired'
    ON CONFLICT (service_id) DO UPDATE SET
        status = EXCLUDED.status,
        categories = EXCLUDED.categories,
        target_groups = EXCLUDED.target_groups,
        languages = EXCLUDED.languages,
        district = EXCLUDED.district,
        earth = EXCLUDED.earth,
        step_free = EXCLUDED.step_free,
        minimum_age = EXCLUDED.minimum_age,
        maximum_age = EXCLUDED.maximum_age,
        opening = EXCLUDED.opening,
        capacity_free = EXCLUDED.capacity_free,
        waiting_days = EXCLUDED.waiting_days,
        verified_at = EXCLUDED.verified_at,
        sort_name = EXCLUDED.sort_name,
        title = EXCLUDED.title,
        document = EXCLUDED.document,
        modified_at = EXCLUDED.modified_at;

    -- Retired (or deleted) services leave the search table.
    DELETE FROM directory.service_search ss
    WHERE ss.service_id = ANY(ids)
      AND NOT EXISTS (SELECT 1 FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
                      WHERE s.id = ss.service_id AND s.status <> 'retired' AND o.status <> 'retired');

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


