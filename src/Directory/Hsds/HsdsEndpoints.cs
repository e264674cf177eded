using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Directory.Hsds;

/// <summary>
/// Open Referral HSDS 3.0 API (anonymous, public fields only). Lists leave retired entries out;
/// a retired service stays readable by id with status "defunct".
/// </summary>
public static class HsdsEndpoints
{
    public const int DefaultPerPage = 20;
    public const int MaxPerPage = 200;

    private sealed record Paging(int Page, int PerPage);

    /// <summary>The common query parameters, checked with German messages.</summary>
    private sealed record Query(string? Search, Paging Paging, Guid? TaxonomyTermId, Guid? OrganizationId, DateTimeOffset? ModifiedAfter,
        Guid? TaxonomyId, bool Full, bool Minimal, bool FullService, bool TopOnly, Guid? ParentId);

    private static (Query? Query, IResult? Error) Parse(HttpRequest r)
    {
        var errors = new FieldErrors();
        int Int(string name, int fallback, int min, int max)
        {
            var raw = r.Query[name].ToString();
            if (raw.Length == 0) return fallback;
            if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
            errors.Add(name, $"„{name}“ muss eine ganze Zahl zwischen {min} und {max} sein.");
            return fallback;
        }
        Guid? Id(string name)
        {
            var raw = r.Query[name].ToString();
            if (raw.Length == 0) return null;
            if (Guid.TryParse(raw, out var g)) return g;
            errors.Add(name, $"„{name}“ muss eine UUID sein.");
            return null;
        }
        var page = Int("page", 1, 1, 1_000_000);
        var perPage = Int("per_page", DefaultPerPage, 1, MaxPerPage);
        var term = Id("taxonomy_term_id");
        var org = Id("organization_id");
        DateTimeOffset? after = null;
        var rawAfter = r.Query["modified_after"].ToString();
        if (rawAfter.Length > 0)
        {
            if (DateTimeOffset.TryParse(rawAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var a)) after = a.ToUniversalTime();
            else errors.Add("modified_after", "„modified_after“ muss ein Zeitpunkt sein (z. B. 2026-01-31T00:00:00Z).");
        }
        var search = r.Query["search"].ToString().Trim();
        if (search.Length > 200) errors.Add("search", "Der Suchtext darf höchstens 200 Zeichen lang sein.");
        bool Flag(string name)
        {
            var raw = r.Query[name].ToString().Trim().ToLowerInvariant();
            switch (raw)
            {
                case "": case "false": case "0": return false;
                case "true": case "1": return true;
                default: errors.Add(name, $"„{name}“ muss true oder false sein."); return false;
            }
        }
        var format = r.Query["format"].ToString().Trim().ToLowerInvariant();
        // The OpenAPI document names json as the format; other representations are the export's job (/pflege/export).
        if (format is not ("" or "json")) errors.Add("format", "„format“: Diese Schnittstelle liefert nur json.");
        var taxonomy = Id("taxonomy_id");
        var parent = Id("parent_id");
        var q = new Query(search.Length == 0 ? null : search, new Paging(page, perPage), term, org, after,
            taxonomy, Flag("full"), Flag("minimal"), Flag("full_service"), Flag("top_only"), parent);
        if (errors.Any) return (null, Problems.Validation(errors.ToDictionary()));
        return (q, null);
    }

    public static IEndpointRouteBuilder MapHsds(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/hsds").AllowAnonymous().WithTags("HSDS 3.0");
        // The open read API is meant for other directories' browsers too (HSDS tools, 211 front ends): anonymous GETs of
        // public fields only, no cookies honoured, so any origin may read them.
        g.AddEndpointFilter(async (ctx, next) =>
        {
            ctx.HttpContext.Response.Headers.AccessControlAllowOrigin = "*";
            return await next(ctx);
        });

        g.MapGet("/", (HttpRequest r) => Results.Json(new JsonObject
        {
            ["version"] = HsdsMapper.Version,
            ["profile"] = "https://docs.openreferral.org/en/latest/hsds/",
            ["openapi_url"] = $"{r.Scheme}://{r.Host}/openapi/v1.json",
        }));

        g.MapGet("/services", async (HttpRequest r, DirectoryDbContext db, CancellationToken ct) =>
        {
            var (q, error) = Parse(r);
            if (q is null) return error!;
            var (ids, total) = await ServiceIdsAsync(db, q, ct);
            var services = await HsdsMapper.FullServices(db).Where(s => ids.Contains(s.Id)).ToListAsync(ct);
            var terms = await TermsAsync(db, ct);
            // full=true: every nested table as in /services/{id}; minimal (the default here) the service's own fields.
            var full = q.Full && !q.Minimal;
            return Results.Json(HsdsMapper.Page(Ordered(services, ids, s => s.Id).Select(s => HsdsMapper.Service(s, terms, full)), total, q.Paging.Page, q.Paging.PerPage));
        });

        g.MapGet("/services/{id}", async (string id, DirectoryDbContext db, CancellationToken ct) =>
        {
            if (!Guid.TryParse(id, out var sid)) return Problems.NotFound();
            var s = await HsdsMapper.FullServices(db).FirstOrDefaultAsync(x => x.Id == sid, ct);
            return s is null ? Problems.NotFound() : Results.Json(HsdsMapper.Service(s, await TermsAsync(db, ct), full: true));
        });

        g.MapGet("/organizations", async (HttpRequest r, DirectoryDbContext db, CancellationToken ct) =>
        {
            var (q, error) = Parse(r);
            if (q is null) return error!;
            var conn = db.Database.GetDbConnection();
            var args = new { search = q.Search, after = q.ModifiedAfter, limit = q.Paging.PerPage, offset = (q.Paging.Page - 1) * q.Paging.PerPage };
            const string where = """
                WHERE o.status <> 'retired'
                  AND (@search::text IS NULL OR directory.fold(o.name || ' ' || coalesce(o.alternate_name, '') || ' ' || o.description) LIKE '%' || directory.fold(@search) || '%')
                  AND (@after::timestamptz IS NULL OR o.modified_at >= @after)
                """;
            var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT count(*) FROM directory.organization o {where}", args, cancellationToken: ct));
            var ids = (await conn.QueryAsync<Guid>(new CommandDefinition($"SELECT o.id FROM directory.organization o {where} ORDER BY o.name, o.id LIMIT @limit OFFSET @offset", args, cancellationToken: ct))).ToList();
            var orgQuery = db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id));
            if (q.Full || q.FullService) orgQuery = orgQuery.Include(x => x.Phones).Include(x => x.Contacts).Include(x => x.Locations).ThenInclude(l => l.Accessibility).AsSplitQuery();
            var orgs = await orgQuery.ToListAsync(ct);
            var terms = q.Full || q.FullService ? await TermsAsync(db, ct) : null;
            var services = q.Full || q.FullService
                ? (await HsdsMapper.FullServices(db).Where(s => ids.Contains(s.OrganizationId) && s.Status != EntryStatus.Retired).OrderBy(s => s.Name).ToListAsync(ct)).ToLookup(s => s.OrganizationId)
                : null;
            return Results.Json(HsdsMapper.Page(Ordered(orgs, ids, o => o.Id).Select(o => HsdsMapper.Organization(o, q.Full || q.FullService,
                services?[o.Id], terms, fullServices: q.FullService)), total, q.Paging.Page, q.Paging.PerPage));
        });

        g.MapGet("/organizations/{id}", async (string id, HttpRequest r, DirectoryDbContext db, CancellationToken ct) =>
        {
            var fullService = r.Query["full_service"].ToString().Trim().ToLowerInvariant() is "true" or "1";
            if (!Guid.TryParse(id, out var oid)) return Problems.NotFound();
            var o = await db.Organizations.AsNoTracking().Include(x => x.Phones).Include(x => x.Contacts)
                .Include(x => x.Locations).ThenInclude(l => l.Accessibility).AsSplitQuery().FirstOrDefaultAsync(x => x.Id == oid, ct);
            if (o is null) return Problems.NotFound();
            var services = await (fullService ? HsdsMapper.FullServices(db) : db.Services.AsNoTracking())
                .Where(s => s.OrganizationId == oid && s.Status != EntryStatus.Retired).OrderBy(s => s.Name).ToListAsync(ct);
            return Results.Json(HsdsMapper.Organization(o, full: true, services, await TermsAsync(db, ct), fullServices: fullService));
        });

        g.MapGet("/service_at_locations", async (HttpRequest r, DirectoryDbContext db, CancellationToken ct) =>
        {
            var (q, error) = Parse(r);
            if (q is null) return error!;
            var postcode = r.Query["postcode"].ToString().Trim();
            var rawProximity = r.Query["proximity"].ToString();
            double? proximity = null;
            if (rawProximity.Length > 0)
            {
                if (!double.TryParse(rawProximity, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) || m <= 0 || m > 1_000_000)
                    return Problems.Validation(new Dictionary<string, string[]> { ["proximity"] = ["„proximity“ muss eine Entfernung in Metern zwischen 1 und 1.000.000 sein."] });
                if (postcode.Length == 0)
                    return Problems.Validation(new Dictionary<string, string[]> { ["postcode"] = ["Für „proximity“ wird eine Postleitzahl („postcode“) benötigt."] });
                proximity = m;
            }
            (double Lat, double Lon)? centre = null;
            if (proximity is not null)
            {
                var pc = await db.Postcodes.AsNoTracking().Where(p => p.Code == postcode).OrderBy(p => p.Town).FirstOrDefaultAsync(ct);
                if (pc is null)
                    return Problems.Validation(new Dictionary<string, string[]> { ["postcode"] = [$"Die Postleitzahl „{EntryRules.Shorten(postcode)}“ ist nicht bekannt."] });
                centre = (pc.Latitude, pc.Longitude);
            }
            var conn = db.Database.GetDbConnection();
            var args = new
            {
                search = q.Search, term = q.TaxonomyTermId, org = q.OrganizationId, after = q.ModifiedAfter, taxonomy = q.TaxonomyId,
                postcode = postcode.Length > 0 && centre is null ? postcode : null,
                lat = centre?.Lat, lon = centre?.Lon, proximity,
                limit = q.Paging.PerPage, offset = (q.Paging.Page - 1) * q.Paging.PerPage,
            };
            const string from = """
                FROM directory.service_at_location sal
                JOIN directory.service s ON s.id = sal.service_id
                JOIN directory.organization o ON o.id = s.organization_id
                JOIN directory.location l ON l.id = sal.location_id
                """;
            var where = ServiceWhere + """
                  AND (@postcode::text IS NULL OR l.postal_code = @postcode)
                  AND (@proximity::float8 IS NULL OR (l.latitude IS NOT NULL AND earth_distance(ll_to_earth(@lat, @lon), ll_to_earth(l.latitude, l.longitude)) <= @proximity))
                """;
            var order = centre is null ? "s.name, sal.id" : "earth_distance(ll_to_earth(@lat, @lon), ll_to_earth(l.latitude, l.longitude)), sal.id";
            var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT count(*) {from} {where}", args, cancellationToken: ct));
            var ids = (await conn.QueryAsync<Guid>(new CommandDefinition($"SELECT sal.id {from} {where} ORDER BY {order} LIMIT @limit OFFSET @offset", args, cancellationToken: ct))).ToList();
            var rows = await db.ServiceAtLocations.AsNoTracking().Include(x => x.Location).ThenInclude(l => l!.Accessibility)
                .Where(x => ids.Contains(x.Id)).ToListAsync(ct);
            var serviceIds = rows.Select(x => x.ServiceId).Distinct().ToList();
            var services = await (q.Full ? HsdsMapper.FullServices(db) : db.Services.AsNoTracking().Include(s => s.Organization))
                .Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
            var terms = await TermsAsync(db, ct);
            return Results.Json(HsdsMapper.Page(Ordered(rows, ids, x => x.Id).Select(x =>
                (JsonNode)ServiceAtLocation(x, services.GetValueOrDefault(x.ServiceId), terms, q.Full)), total, q.Paging.Page, q.Paging.PerPage));
        });

        g.MapGet("/service_at_locations/{id}", async (string id, DirectoryDbContext db, CancellationToken ct) =>
        {
            if (!Guid.TryParse(id, out var salId)) return Problems.NotFound();
            var x = await db.ServiceAtLocations.AsNoTracking().Include(x => x.Location).ThenInclude(l => l!.Accessibility)
                .FirstOrDefaultAsync(x => x.Id == salId, ct);
            if (x is null) return Problems.NotFound();
            var s = await HsdsMapper.FullServices(db).FirstOrDefaultAsync(s => s.Id == x.ServiceId, ct);
            if (s is null) return Problems.NotFound();
            return Results.Json(ServiceAtLocation(x, s, await TermsAsync(db, ct), full: true));
        });


        g.MapGet("/taxonomies", async (HttpRequest r, DirectoryDbContext db, CancellationToken ct) =>
        {
            var (q, error) = Parse(r);
            if (q is null) return error!;
            var all = await db.Taxonomies.AsNoTracking().OrderBy(t => t.Code).ToListAsync(ct);
            var page = all.Where(t => q.Search is null || t.Name.Contains(q.Search, StringComparison.OrdinalIgnoreCase)).ToList();
            return Results.Json(HsdsMapper.Page(page.Skip((q.Paging.Page - 1) * q.Paging.PerPage).Take(q.Paging.PerPage).Select(HsdsMapper.Taxonomy), page.Count, q.Paging.Page, q.Paging.PerPage));
        });
        g.MapGet("/taxonomies/{id}", async (string id, DirectoryDbContext db, CancellationToken ct) =>
            Guid.TryParse(id, out var tid) && await db.Taxonomies.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tid, ct) is { } t
                ? Results.Json(HsdsMapper.Taxonomy(t)) : Problems.NotFound());

        g.MapGet("/taxonomy_terms", async (HttpRequest r, DirectoryDbContext db, CancellationToken ct) =>
        {
            var (q, error) = Parse(r);
            if (q is null) return error!;
            var query = db.TaxonomyTerms.AsNoTracking().Include(t => t.Taxonomy).AsQueryable();
            if (q.TaxonomyId is { } taxonomyId) query = query.Where(t => t.TaxonomyId == taxonomyId);
            if (q.ParentId is { } parentId) query = query.Where(t => t.ParentId == parentId);
            if (q.TopOnly) query = query.Where(t => t.ParentId == null);
            if (q.Search is not null) query = query.Where(t => EF.Functions.ILike(t.Name, "%" + q.Search.Replace("%", "").Replace("_", "") + "%"));
            var total = await query.CountAsync(ct);
            var items = await query.OrderBy(t => t.Taxonomy!.Code).ThenBy(t => t.SortOrder).ThenBy(t => t.Name).ThenBy(t => t.Id)
                .Skip((q.Paging.Page - 1) * q.Paging.PerPage).Take(q.Paging.PerPage).ToListAsync(ct);
            return Results.Json(HsdsMapper.Page(items.Select(HsdsMapper.TaxonomyTerm), total, q.Paging.Page, q.Paging.PerPage));
        });
        g.MapGet("/taxonomy_terms/{id}", async (string id, DirectoryDbContext db, CancellationToken ct) =>
            Guid.TryParse(id, out var tid) && await db.TaxonomyTerms.AsNoTracking().Include(t => t.Taxonomy).FirstOrDefaultAsync(t => t.Id == tid, ct) is { } t
                ? Results.Json(HsdsMapper.TaxonomyTerm(t)) : Problems.NotFound());
        return app;
    }

    private const string ServiceWhere = """
        WHERE s.status <> 'retired' AND o.status <> 'retired'
          AND (@search::text IS NULL
               OR EXISTS (SELECT 1 FROM directory.service_search ss WHERE ss.service_id = s.id AND ss.document @@ plainto_tsquery('german', directory.fold(@search)))
               OR directory.fold(s.name || ' ' || o.name) LIKE '%' || directory.fold(@search) || '%')
          AND (@term::uuid IS NULL OR EXISTS (SELECT 1 FROM directory.service_taxonomy_term t WHERE t.service_id = s.id AND t.taxonomy_term_id = @term))
          AND (@org::uuid IS NULL OR s.organization_id = @org)
          AND (@after::timestamptz IS NULL OR s.modified_at >= @after)
          AND (@taxonomy::uuid IS NULL OR EXISTS (SELECT 1 FROM directory.service_taxonomy_term t JOIN directory.taxonomy_term tt ON tt.id = t.taxonomy_term_id
                                                  WHERE t.service_id = s.id AND tt.taxonomy_id = @taxonomy))
        """;

    private static async Task<(List<Guid> Ids, int Total)> ServiceIdsAsync(DirectoryDbContext db, Query q, CancellationToken ct)
    {
        var conn = db.Database.GetDbConnection();
        var args = new { search = q.Search, term = q.TaxonomyTermId, org = q.OrganizationId, after = q.ModifiedAfter, taxonomy = q.TaxonomyId, limit = q.Paging.PerPage, offset = (q.Paging.Page - 1) * q.Paging.PerPage };
        const string from = "FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id";
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT count(*) {from} {ServiceWhere}", args, cancellationToken: ct));
        var ids = await conn.QueryAsync<Guid>(new CommandDefinition($"SELECT s.id {from} {ServiceWhere} ORDER BY s.name, s.id LIMIT @limit OFFSET @offset", args, cancellationToken: ct));
        return (ids.ToList(), total);
    }

    private static JsonObject ServiceAtLocation(ServiceAtLocation x, Service? s, TermCatalogue terms, bool full)
    {
        var o = new JsonObject { ["id"] = x.Id.ToString(), ["service_id"] = x.ServiceId.ToString(), ["location_id"] = x.LocationId.ToString() };
        if (!string.IsNullOrEmpty(x.Description)) o["description"] = x.Description;
        if (x.Location is not null) o["location"] = HsdsMapper.Location(x.Location);
        if (s is not null) o["service"] = HsdsMapper.Service(s, terms, full);
        return o;
    }

    public static async Task<TermCatalogue> TermsAsync(DirectoryDbContext db, CancellationToken ct)
        => new(await db.TaxonomyTerms.AsNoTracking().Include(t => t.Taxonomy).ToListAsync(ct));

    private static IEnumerable<T> Ordered<T>(List<T> items, List<Guid> ids, Func<T, Guid> key)
    {
        var byId = items.ToDictionary(key);
        return ids.Where(byId.ContainsKey).Select(id => byId[id]);
    }
}
