using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Time;
using Netzwerk.Platform.Wording;
using Npgsql;

namespace Netzwerk.Directory.Search;

/// <summary>
/// Catalogue search on PostgreSQL: german full-text search over folded text (umlauts, ß), prefix
/// matching for compounds, typo correction against a small vocabulary (pg_trgm), coordinator-maintained
/// synonyms, earthdistance for radius and distance. One statement answers items, total and facets.
/// </summary>
/// <summary>Configuration section <c>Directory:Search</c>.</summary>
public sealed class SearchSettings
{
    /// <summary>At most this many matches are ranked, counted into facets and into the total (beyond it the total is a lower bound).</summary>
    public int CandidateLimit { get; set; } = 1_000;

    /// <summary>Free places and waiting time older than this many days show as unknown on the results page (stale is not shown as true).</summary>
    public int CapacityMaxAgeDays { get; set; } = 42;
}

public sealed class PostgresCatalogueSearch(
    [FromKeyedServices(PostgresCatalogueSearch.DataSourceKey)] NpgsqlDataSource dataSource, TimeProvider time, SearchSettings settings)
    : ICatalogueSearch
{
    public const string DataSourceKey = "search";

    /// <summary>
    /// Session settings of the search's own connection pool. With a LIMIT the planner likes a sequential scan that
    /// hopes to meet matches early, which the category-clustered table punishes; JIT compilation costs more than
    /// these short statements take; facets and ranking sort a few thousand rows in memory; the search's few statement
    /// shapes are prepared (auto-prepare) and planning them again for every search cost a third of a small catalogue's
    /// search time, so the generic plan is used from the first execution. As start-up options they cost nothing per
    /// search (no transaction and SET LOCAL round trips) and never leak into other pools.
    /// </summary>
    public const string SessionOptions = "-c enable_seqscan=off -c jit=off -c work_mem=32MB -c plan_cache_mode=force_generic_plan";

    private static readonly TimeZoneInfo Berlin = GermanTime.Berlin;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static readonly IReadOnlyDictionary<string, string> LanguageNames = new Dictionary<string, string>
    {
        ["de"] = "Deutsch", ["en"] = "Englisch", ["ar"] = "Arabisch", ["ru"] = "Russisch", ["uk"] = "Ukrainisch",
        ["tr"] = "Türkisch", ["pl"] = "Polnisch", ["cs"] = "Tschechisch", ["hsb"] = "Sorbisch", ["fa"] = "Persisch",
        ["vi"] = "Vietnamesisch", ["fr"] = "Französisch", ["es"] = "Spanisch", ["ro"] = "Rumänisch", ["ku"] = "Kurdisch",
        ["ti"] = "Tigrinya", ["ps"] = "Paschtu", ["so"] = "Somali", ["sq"] = "Albanisch", ["bg"] = "Bulgarisch", ["it"] = "Italienisch",
    };

    private volatile TermLabels? _labels;

    public static DateTimeOffset LocalNow(TimeProvider time) => TimeZoneInfo.ConvertTime(time.GetUtcNow(), Berlin);

    public async Task<GeoPoint?> FindPostcodeAsync(string postcode, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QueryFirstOrDefaultAsync<(double Lat, double Lon)?>(new CommandDefinition(
            "SELECT latitude, longitude FROM directory.postcode WHERE postcode = @postcode ORDER BY town LIMIT 1",
            new { postcode }, cancellationToken: ct));
        return row is { } r ? new GeoPoint(r.Lat, r.Lon) : null;
    }

    public async Task<IReadOnlyList<Place>> FindPlacesAsync(string text, CancellationToken ct = default)
    {
        text = text.Trim();
        if (text.Length == 5 && text.All(char.IsAsciiDigit))
            return await FindPostcodeAsync(text, ct) is { } p ? [new Place(text, null, p)] : [];
        // "Neustadt (Landkreis X)": the choice offered for an ambiguous name.
        string name = text;
        string? district = null;
        var open = text.LastIndexOf('(');
        if (open > 0 && text.EndsWith(')'))
        {
            name = text[..open].Trim();
            district = text[(open + 1)..^1].Trim();
        }
        if (name.Length is 0 or > 100) return [];
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // The postcode list names towns with their district; towns it lacks may still be known from the addresses of
        // the catalogue's locations (centre = mean of their coordinates). Both use an index on the folded name (0101).
        var list = (await conn.QueryAsync<(string Name, string? District, double Lat, double Lon)>(new CommandDefinition("""
            SELECT min(town), district, avg(latitude), avg(longitude) FROM directory.postcode
            WHERE directory.fold(town) = directory.fold(@name) AND (@district::text IS NULL OR directory.fold(district) = directory.fold(@district))
            GROUP BY directory.fold(town), district ORDER BY district
            """, new { name, district }, cancellationToken: ct))).ToList();
        if (list.Count == 0)
            list = (await conn.QueryAsync<(string Name, string? District, double Lat, double Lon)>(new CommandDefinition("""
                SELECT min(city), district, avg(latitude), avg(longitude) FROM directory.location
                WHERE directory.fold(city) = directory.fold(@name) AND latitude IS NOT NULL AND longitude IS NOT NULL
                  AND (@district::text IS NULL OR directory.fold(district) = directory.fold(@district))
                GROUP BY directory.fold(city), district ORDER BY district NULLS LAST
                """, new { name, district }, cancellationToken: ct))).ToList();
        return list.Select(r => new Place(r.Name, r.District, new GeoPoint(r.Lat, r.Lon))).ToList();
    }

    public async Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var labels = await LabelsAsync(conn, ct);
        var text = await InterpretAsync(conn, query.Text, ct);
        var sort = query.EffectiveSort;

        var p = new DynamicParameters();
        var now = time.GetUtcNow();
        p.Add("now", now);
        var hasText = text.TsQuery is not null;
        var near = query.Near;
        var distance = near is null ? "NULL::float8" : "earth_distance(ss.earth, ll_to_earth(@lat, @lon)) / 1000.0";
        // Relevance from the compact title vector (service name, categories, organisation); the full document
        // only decides whether a service matches (GIN index).
        var rank = hasText ? "(0.1 + ts_rank(ss.title, q.q))" : "1.0";
        var score = $"""
            {rank}
              * {(near is null ? "1.0" : $"1.0 / (1.0 + coalesce({distance}, 100.0) / 10.0)")}
              * CASE WHEN ss.verified_at >= @now - interval '12 months' THEN 1.0 ELSE 0.8 END
              * CASE WHEN ss.status = 'temporarily_closed' THEN 0.5 ELSE 1.0 END
              * CASE WHEN coalesce(ss.capacity_free, 0) > 0 THEN 1.1 ELSE 1.0 END
            """;

        var where = new StringBuilder("true");
        if (hasText) { where.Append(" AND ss.document @@ q.q"); p.Add("tsq", text.TsQuery); }
        if (query.Categories.Count > 0) { where.Append(" AND ss.categories && @categories"); p.Add("categories", query.Categories.ToArray()); }
        if (query.TargetGroups.Count > 0) { where.Append(" AND ss.target_groups && @targetGroups"); p.Add("targetGroups", query.TargetGroups.ToArray()); }
        if (query.Languages.Count > 0) { where.Append(" AND ss.languages && @languages"); p.Add("languages", query.Languages.ToArray()); }
        if (query.Districts.Count > 0) { where.Append(" AND ss.district = ANY(@districts)"); p.Add("districts", query.Districts.ToArray()); }
        if (query.Accessible) where.Append(" AND ss.step_free");
        if (query.HasCapacity) where.Append(" AND ss.capacity_free > 0");
        if (query.MaxWaitDays is { } maxWait) { where.Append(" AND ss.waiting_days <= @maxWait"); p.Add("maxWait", maxWait); }
        if (query.Age is { } age) { where.Append(" AND (ss.minimum_age IS NULL OR ss.minimum_age <= @age) AND (ss.maximum_age IS NULL OR ss.maximum_age >= @age)"); p.Add("age", age); }
        if (query.OpenOn is { } open)
        {
            var dayStart = (open.Weekday - 1) * 1440;
            if (open.Time is { } t) { where.Append(" AND ss.opening @> @minute"); p.Add("minute", dayStart + t.Hour * 60 + t.Minute); }
            else { where.Append(" AND ss.opening && int4multirange(int4range(@dayStart, @dayEnd))"); p.Add("dayStart", dayStart); p.Add("dayEnd", dayStart + 1440); }
        }
        if (near is not null)
        {
            p.Add("lat", near.Latitude);
            p.Add("lon", near.Longitude);
            if (query.RadiusKm is { } radius)
            {
                where.Append(" AND earth_box(ll_to_earth(@lat, @lon), @radiusM) @> ss.earth AND earth_distance(ss.earth, ll_to_earth(@lat, @lon)) <= @radiusM");
                p.Add("radiusM", radius * 1000.0);
            }
        }
        var from = "directory.service_search ss" + (hasText ? ", to_tsquery('simple', @tsq) q(q)" : "");

        // Bounded work: ranking, paging, facets and the count look at no more than `cap` candidates. Candidates come
        // in the order that matters when there are more: nearest first (GiST), by name, or as stored (clustered by
        // category). Beyond the cap the total is a lower bound ("mehr als 1.000"), as search engines report it
        // (Elasticsearch counts exactly up to 10,000): an exact count would fetch every matching row once more,
        // the largest single cost of broad searches, for a number nobody pages through.
        var cap = Math.Max(settings.CandidateLimit, query.Page * query.PageSize);
        p.Add("cap", cap);
        var candidateOrder = sort switch
        {
            SearchSort.Distance or SearchSort.Relevance when near is not null => "ORDER BY ss.earth <-> ll_to_earth(@lat, @lon)",
            SearchSort.Name => "ORDER BY ss.sort_name, ss.service_id",
            _ => "",
        };
        var order = sort switch
        {
            SearchSort.Distance => "dist ASC NULLS LAST, score DESC, service_id",
            SearchSort.Name => "sort_name, service_id",
            _ => "score DESC, dist ASC NULLS LAST, service_id",
        };
        p.Add("limit", query.PageSize);
        p.Add("offset", (query.Page - 1) * query.PageSize);
        var sql = $"""
            WITH m AS MATERIALIZED (
                SELECT ss.service_id, ss.categories, ss.target_groups, ss.district, ss.languages,
                       ({score})::float8 AS score, {distance} AS dist{(sort == SearchSort.Name ? ", ss.sort_name" : "")}
                FROM {from}
                WHERE {where}
                {candidateOrder}
                LIMIT @cap),
            page AS (SELECT service_id, score, dist, row_number() OVER () AS pos FROM (SELECT * FROM m ORDER BY {order} LIMIT @limit OFFSET @offset) x),
            counted AS (SELECT count(*) AS n FROM m)
            SELECT (SELECT n FROM counted) AS candidates,
                   (SELECT coalesce(json_agg(json_build_object('k', k, 'value', v, 'count', n) ORDER BY k, n DESC, v), '[]') FROM (
                        SELECT CASE GROUPING(c, t, l, d) WHEN 7 THEN 'c' WHEN 11 THEN 't' WHEN 13 THEN 'l' ELSE 'd' END AS k,
                               coalesce(c, t, l, d) AS v, count(*) AS n
                        FROM (SELECT unnest(categories) c, unnest(target_groups) t, unnest(languages) l, unnest(ARRAY[district]) d FROM m) z
                        GROUP BY GROUPING SETS ((c), (t), (l), (d))
                        HAVING coalesce(c, t, l, d) IS NOT NULL) f) AS facets,
                   (SELECT coalesce(json_agg(row_to_json(i) ORDER BY i.pos), '[]') FROM (
                        SELECT page.pos, page.score, page.dist, s.id AS service_id, s.name AS service_name, o.id AS organization_id, o.name AS organization_name,
                               ss.categories, ss.target_groups, ss.languages, ss.status, l.id AS location_id, l.name AS location_name, l.address_1,
                               l.postal_code, l.city, l.district, l.latitude, l.longitude, coalesce(l.step_free, false) AS step_free, s.waiting_days,
                               s.waiting_updated_at, s.capacity_free, s.capacity_updated_at, ss.verified_at, left(s.description, 400) AS description
                        FROM page JOIN directory.service_search ss ON ss.service_id = page.service_id
                        JOIN directory.service s ON s.id = page.service_id
                        JOIN directory.organization o ON o.id = s.organization_id
                        LEFT JOIN LATERAL (SELECT sal.location_id FROM directory.service_at_location sal
                                           WHERE sal.service_id = s.id ORDER BY sal.sort_order, sal.id LIMIT 1) main ON true
                        LEFT JOIN directory.location l ON l.id = main.location_id) i) AS items
            """;

        var row = await conn.QuerySingleAsync<ResultRow>(new CommandDefinition(sql, p, cancellationToken: ct));
        var items = JsonSerializer.Deserialize<List<ItemRow>>(row.Items, Json)!;
        var hits = items.Select(i => ToHit(i, query, text, labels, now)).ToList();
        var facetRows = JsonSerializer.Deserialize<List<FacetRow>>(row.Facets, Json)!;
        var facets = new SearchFacets(
            Facet(facetRows, "c", v => labels.Category(v)),
            Facet(facetRows, "t", v => labels.TargetGroup(v)),
            Facet(facetRows, "d", v => v),
            Facet(facetRows, "l", v => LanguageNames.GetValueOrDefault(v, v)));
        var interpretation = new QueryInterpretation(text.Terms, text.Corrections, text.Synonyms, text.Ignored, sort.ToString().ToLowerInvariant());
        return new SearchResult(row.Candidates, query.Page, query.PageSize, hits, facets, interpretation, FacetsComplete: row.Candidates < cap);
    }

    private static IReadOnlyList<FacetValue> Facet(List<FacetRow> rows, string kind, Func<string, string> label) =>
        rows.Where(f => f.K == kind).Select(f => new FacetValue(f.Value, label(f.Value), f.Count)).ToList();

    private static SearchHit ToHit(ItemRow i, SearchQuery query, InterpretedText text, TermLabels labels, DateTimeOffset now)
    {
        var categoryNames = string.Join(", ", i.Categories.Select(labels.Category));
        var address = i.Address1 is null ? null : $"{i.Address1}, {i.PostalCode} {i.City}";
        var highlights = new List<SearchHighlight>();
        if (text.Stems.Count > 0)
        {
            void Mark(string field, string label, string? value)
            {
                if (GermanText.Highlight(value, text.Stems) is { } html) highlights.Add(new SearchHighlight(field, label, html));
            }
            Mark("serviceName", "Angebot", i.ServiceName);
            Mark("organizationName", "Träger", i.OrganizationName);
            Mark("categories", "Kategorie", categoryNames);
            Mark("address", "Adresse", address);
            Mark("targetGroups", "Zielgruppe", string.Join(", ", i.TargetGroups.Select(labels.TargetGroup)));
            Mark("languages", "Sprache", string.Join(", ", i.Languages.Select(l => LanguageNames.GetValueOrDefault(l, l))));
            if (highlights.Count == 0) Mark("description", "Beschreibung", i.Description);
        }
        var why = new List<string>();
        if (highlights.Count > 0) why.Add("Treffer in " + string.Join(", ", highlights.Select(h => h.Label)));
        foreach (var c in text.Corrections) why.Add($"„{c.Typed}“ als „{string.Join("“ / „", c.Suggestions)}“ gelesen");
        foreach (var s in text.Synonyms) why.Add($"„{s.Typed}“ bedeutet auch {string.Join(", ", s.Expansions)}");
        if (i.Dist is { } d) why.Add($"{d.ToString("0.0", CultureInfo.GetCultureInfo("de-DE"))} km entfernt");
        if (query.Languages.Count > 0) why.Add("spricht " + string.Join(" / ", query.Languages.Where(i.Languages.Contains).Select(l => LanguageNames.GetValueOrDefault(l, l))));
        if (query.Accessible) why.Add("stufenloser Zugang");
        if (query.HasCapacity) why.Add(GermanCount.FreePlaces(i.CapacityFree ?? 0));
        if (query.MaxWaitDays is not null) why.Add($"Wartezeit {GermanCount.Days(i.WaitingDays ?? 0)}");
        if (query.OpenOn is { } open) why.Add($"geöffnet {open}");
        var verificationDue = i.VerifiedAt is null || i.VerifiedAt < now.AddMonths(-12);
        // The score weighs unverified entries down (× 0.8); the explanation says so, so nobody reads it as a worse partner.
        if (i.VerifiedAt is null) why.Add("Angaben noch nie bestätigt – steht deshalb weiter hinten");
        else if (verificationDue) why.Add("Angaben seit über 12 Monaten nicht bestätigt – steht deshalb weiter hinten");

        return new SearchHit(i.ServiceId, i.ServiceName, i.OrganizationId, i.OrganizationName,
            i.Categories.Select(c => new CodeLabel(c, labels.Category(c))).ToList(),
            i.TargetGroups.Select(c => new CodeLabel(c, labels.TargetGroup(c))).ToList(),
            i.Languages.Select(c => new CodeLabel(c, LanguageNames.GetValueOrDefault(c, c))).ToList(),
            i.Status,
            new SearchLocation(i.LocationId, i.LocationName, i.Address1, i.PostalCode, i.City, i.District, i.Latitude, i.Longitude),
            i.Dist is { } dist ? Math.Round(dist, 2) : null,
            i.StepFree,
            i.WaitingDays, i.WaitingUpdatedAt, AgeDays(i.WaitingUpdatedAt, now),
            i.CapacityFree, i.CapacityUpdatedAt, AgeDays(i.CapacityUpdatedAt, now),
            i.VerifiedAt, verificationDue, Math.Round(i.Score, 5), highlights, why);
    }

    private static int? AgeDays(DateTimeOffset? at, DateTimeOffset now) => at is { } a ? Math.Max(0, (int)(now - a).TotalDays) : null;

    // ---------------------------------------------------------------- understanding the text

    private sealed record InterpretedText(
        string? TsQuery, List<string> Terms, List<string> Stems, List<TermCorrection> Corrections, List<TermSynonym> Synonyms, List<string> Ignored)
    {
        public static readonly InterpretedText Empty = new(null, [], [], [], [], []);
    }

    private sealed class TokenRow
    {
        public string Tok { get; set; } = "";
        public bool Stop { get; set; }
        public string[] Stems { get; set; } = [];
        public bool Known { get; set; }
        public string[]? Expansions { get; set; }
        public string[]? ExpansionStems { get; set; }
        public string[]? FuzzyWords { get; set; }
        public string[]? FuzzyStems { get; set; }
    }

    private const string InterpretSql = """
        WITH t AS (SELECT u.tok, u.ord FROM unnest(@tokens::text[]) WITH ORDINALITY AS u(tok, ord)),
        s AS (
            SELECT t.ord, t.tok, directory.fold(t.tok) AS f,
                   numnode(plainto_tsquery('german', lower(t.tok))) = 0 AS stop,
                   tsvector_to_array(to_tsvector('german', directory.fold(t.tok))) AS stems
            FROM t),
        k AS (
            SELECT s.*, (s.f ~ '^[0-9]+$' OR coalesce((SELECT bool_and(EXISTS (
                        SELECT 1 FROM directory.search_vocabulary v WHERE v.word LIKE replace(replace(replace(st, '\', ''), '%', ''), '_', '') || '%'))
                    FROM unnest(s.stems) st), false)) AS known
            FROM s)
        SELECT k.tok, k.stop, k.stems, k.known, syn.expansions, syn.expansion_stems AS expansionstems, fz.fuzzy_words AS fuzzywords, fz.fuzzy_stems AS fuzzystems
        FROM k
        LEFT JOIN LATERAL (
            SELECT array_agg(e ORDER BY e) AS expansions,
                   array_agg(array_to_string(tsvector_to_array(to_tsvector('german', directory.fold(e))), ' ') ORDER BY e) AS expansion_stems
            FROM directory.search_synonym y, unnest(y.expansions) e WHERE directory.fold(y.term) = k.f) syn ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(x.word ORDER BY x.d) AS fuzzy_words,
                   array_agg(array_to_string(tsvector_to_array(to_tsvector('german', x.word)), ' ') ORDER BY x.d) AS fuzzy_stems
            FROM (SELECT v.word, v.word <-> k.f AS d FROM directory.search_vocabulary v
                  WHERE NOT k.known AND NOT k.stop AND length(k.f) >= 4
                  ORDER BY v.word <-> k.f LIMIT 2) x
            WHERE x.d <= 0.55) fz ON true
        ORDER BY k.ord
        """;

    private static async Task<InterpretedText> InterpretAsync(NpgsqlConnection conn, string? text, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text)) return InterpretedText.Empty;
        var tokens = GermanText.Tokens(text).Take(10).ToArray();
        if (tokens.Length == 0) return InterpretedText.Empty;
        var rows = (await conn.QueryAsync<TokenRow>(new CommandDefinition(InterpretSql, new { tokens }, cancellationToken: ct))).ToList();

        var groups = new List<string>();
        var result = new InterpretedText(null, [], [], [], [], []);
        foreach (var r in rows)
        {
            var hasSynonyms = r.Expansions is { Length: > 0 };
            if ((r.Stop && !hasSynonyms) || (r.Stems.Length == 0 && !hasSynonyms))
            {
                result.Ignored.Add(r.Tok);
                continue;
            }
            result.Terms.Add(r.Tok);
            var alternatives = new List<string>();
            if (r.Stems.Length > 0) alternatives.Add(And(r.Stems));
            result.Stems.AddRange(r.Stems);
            if (hasSynonyms)
            {
                result.Synonyms.Add(new TermSynonym(r.Tok, r.Expansions!));
                foreach (var phrase in r.ExpansionStems!.Where(x => x.Length > 0))
                {
                    var lexemes = phrase.Split(' ');
                    alternatives.Add(And(lexemes));
                    result.Stems.AddRange(lexemes);
                }
            }
            if (r.FuzzyWords is { Length: > 0 })
            {
                result.Corrections.Add(new TermCorrection(r.Tok, r.FuzzyWords));
                foreach (var phrase in r.FuzzyStems!.Where(x => x.Length > 0))
                {
                    var lexemes = phrase.Split(' ');
                    alternatives.Add(And(lexemes));
                    result.Stems.AddRange(lexemes);
                }
            }
            groups.Add("(" + string.Join(" | ", alternatives.Distinct()) + ")");
        }
        if (groups.Count == 0) return result;
        return result with { TsQuery = string.Join(" & ", groups) };

        static string And(IEnumerable<string> lexemes) =>
            "(" + string.Join(" & ", lexemes.Select(l => "'" + l.Replace("\\", "").Replace("'", "''") + "'" + (l.Length >= 3 ? ":*" : ""))) + ")";
    }

    // ---------------------------------------------------------------- labels (taxonomies are data)

    private sealed record TermLabels(DateTimeOffset LoadedAt, Dictionary<string, string> Categories, Dictionary<string, string> TargetGroups)
    {
        public string Category(string code) => Categories.GetValueOrDefault(code, code);
        public string TargetGroup(string code) => TargetGroups.GetValueOrDefault(code, code);
    }

    private async Task<TermLabels> LabelsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var cached = _labels;
        if (cached is not null && time.GetUtcNow() - cached.LoadedAt < TimeSpan.FromSeconds(30)) return cached;
        var rows = await conn.QueryAsync<(string Taxonomy, string Code, string Name)>(new CommandDefinition("""
            SELECT t.code, tt.code, tt.name FROM directory.taxonomy_term tt JOIN directory.taxonomy t ON t.id = tt.taxonomy_id
            """, cancellationToken: ct));
        var labels = new TermLabels(time.GetUtcNow(),
            rows.Where(r => r.Taxonomy == "partnerart").ToDictionary(r => r.Code, r => r.Name),
            rows.Where(r => r.Taxonomy == "zielgruppe").ToDictionary(r => r.Code, r => r.Name));
        _labels = labels;
        return labels;
    }

    /// <summary>Category and target-group labels for forms (facet checkboxes without results).</summary>
    public async Task<(IReadOnlyDictionary<string, string> Categories, IReadOnlyDictionary<string, string> TargetGroups)> TermLabelsAsync(CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var l = await LabelsAsync(conn, ct);
        return (l.Categories, l.TargetGroups);
    }

    private sealed class ResultRow
    {
        public long Candidates { get; set; }
        public string Facets { get; set; } = "[]";
        public string Items { get; set; } = "[]";
    }

    private sealed class FacetRow
    {
        public string K { get; set; } = "";
        public string Value { get; set; } = "";
        public long Count { get; set; }
    }

    private sealed class ItemRow
    {
        public double Score { get; set; }
        public double? Dist { get; set; }
        public Guid ServiceId { get; set; }
        public string ServiceName { get; set; } = "";
        public Guid OrganizationId { get; set; }
        public string OrganizationName { get; set; } = "";
        public string[] Categories { get; set; } = [];
        public string[] TargetGroups { get; set; } = [];
        public string[] Languages { get; set; } = [];
        public string Status { get; set; } = "";
        public Guid? LocationId { get; set; }
        public string? LocationName { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("address_1")]
        public string? Address1 { get; set; }
        public string? PostalCode { get; set; }
        public string? City { get; set; }
        public string? District { get; set; }
        public double? Latitude { get; set; }
        public double? Longitude { get; set; }
        public bool StepFree { get; set; }
        public int? WaitingDays { get; set; }
        public DateTimeOffset? WaitingUpdatedAt { get; set; }
        public int? CapacityFree { get; set; }
        public DateTimeOffset? CapacityUpdatedAt { get; set; }
        public DateTimeOffset? VerifiedAt { get; set; }
        public string? Description { get; set; }
    }
}
