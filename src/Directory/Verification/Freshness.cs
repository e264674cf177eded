using Dapper;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;

namespace Netzwerk.Directory.Verification;

/// <summary>One row of the freshness figures: a category, a district, or (both null) the whole catalogue.</summary>
public sealed record FreshnessRow(string? Category, string? District, int Entries, int VerifiedWithin12Months, double Share,
    double? MedianCapacityAgeDays, int WithoutCapacity);

/// <summary>
/// How true the catalogue is: the share of active entries verified within 12 months and the median age of the free-places
/// figure, per category, per district and overall (organisation data only, no client data).
/// </summary>
public static class Freshness
{
    public static async Task<List<FreshnessRow>> QueryAsync(DirectoryDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var rows = await db.Database.GetDbConnection().QueryAsync<(string? Category, string? District, int Entries, int Verified, double? Median, int WithoutCapacity, int Level)>(
            new CommandDefinition("""
                WITH e AS (
                    SELECT s.id, s.verified_at, s.capacity_updated_at, s.capacity_free, l.district,
                           (SELECT t.name FROM directory.service_taxonomy_term st JOIN directory.taxonomy_term t ON t.id = st.taxonomy_term_id
                            JOIN directory.taxonomy x ON x.id = t.taxonomy_id AND x.code = @kind
                            WHERE st.service_id = s.id ORDER BY t.sort_order, t.name LIMIT 1) AS category
                    FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
                    LEFT JOIN LATERAL (SELECT l.district FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
                                       WHERE sal.service_id = s.id ORDER BY sal.sort_order, sal.id LIMIT 1) l ON true
                    WHERE s.status = 'active' AND o.status <> 'retired')
                SELECT category, district, count(*)::int, count(*) FILTER (WHERE verified_at >= @since)::int,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (@now - capacity_updated_at)) / 86400.0)
                           FILTER (WHERE capacity_free IS NOT NULL AND capacity_updated_at IS NOT NULL),
                       count(*) FILTER (WHERE capacity_free IS NULL OR capacity_updated_at IS NULL)::int,
                       GROUPING(category, district)::int
                FROM e GROUP BY GROUPING SETS ((), (category), (district))
                ORDER BY GROUPING(category, district) DESC, category NULLS LAST, district NULLS LAST
                """, new { kind = TaxonomyCodes.PartnerKind, since = now - EntryList.VerificationInterval, now }, cancellationToken: ct));
        // GROUPING: 3 = overall, 1 = per category (district grouped away), 2 = per district.
        return rows.Select(r => new FreshnessRow(r.Level == 1 ? r.Category ?? "ohne Kategorie" : null, r.Level == 2 ? r.District ?? "ohne Ort" : null,
            r.Entries, r.Verified, r.Entries == 0 ? 0 : Math.Round(r.Verified / (double)r.Entries, 4),
            r.Median is { } m ? Math.Round(m, 1) : null, r.WithoutCapacity)).ToList();
    }
}
