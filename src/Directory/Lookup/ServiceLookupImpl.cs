using Dapper;
using Npgsql;

namespace Netzwerk.Directory.Lookup;

/// <summary><see cref="IServiceLookup"/> over the catalogue tables; retired services are still found (history).</summary>
public sealed class ServiceLookup(NpgsqlDataSource dataSource) : IServiceLookup
{
    public async Task<ServiceSummary?> FindAsync(Guid serviceId, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            SELECT s.id AS ServiceId, s.name AS ServiceName, o.id AS OrganizationId, o.name AS OrganizationName,
                   coalesce(array(SELECT tt.code FROM directory.service_taxonomy_term stt
                                  JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
                                  JOIN directory.taxonomy tx ON tx.id = tt.taxonomy_id AND tx.code = 'partnerart'
                                  WHERE stt.service_id = s.id ORDER BY tt.code), '{}') AS CategoryCodes,
                   (SELECT l.district FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
                    WHERE sal.service_id = s.id ORDER BY sal.sort_order, sal.id LIMIT 1) AS District,
                   coalesce(nullif(s.referral_email, ''), o.referral_email) AS ReferralEmail,
                   CASE WHEN o.status = 'retired' THEN 'retired'
                        WHEN o.status = 'temporarily_closed' AND s.status = 'active' THEN 'temporarily_closed'
                        ELSE s.status END AS Status
            FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
            WHERE s.id = @serviceId
            """, new { serviceId }, cancellationToken: ct));
        return row is null ? null : new ServiceSummary(row.ServiceId, row.ServiceName, row.OrganizationId, row.OrganizationName,
            row.CategoryCodes, row.District, row.ReferralEmail, row.Status);
    }

    // Without the category and district subqueries, which made FindAsync the dearest statement of a referral's lifecycle.
    public async Task<ReferralAddress?> ReferralAddressAsync(Guid serviceId, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT coalesce(nullif(s.referral_email, ''), o.referral_email), o.name,
                   coalesce((SELECT array_agg(f.email ORDER BY f.position) FROM directory.referral_fallback_address f WHERE f.service_id = s.id),
                            (SELECT array_agg(f.email ORDER BY f.position) FROM directory.referral_fallback_address f
                             WHERE f.organization_id = o.id AND f.service_id IS NULL), '{}')
            FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
            WHERE s.id = $1
            """);
        cmd.Parameters.AddWithValue(serviceId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ReferralAddress(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2))
            : null;
    }

    public async Task<string?> OrganizationNameAsync(Guid organizationId, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT name FROM directory.organization WHERE id = @organizationId", new { organizationId }, cancellationToken: ct));
    }

    public async Task<ServiceContactCard?> ContactCardAsync(Guid serviceId, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // The main location (sort order 0 first); the service's own phone before its location's and its organisation's.
        var card = await conn.QuerySingleOrDefaultAsync<CardRow>(new CommandDefinition("""
            WITH main AS (SELECT sal.location_id FROM directory.service_at_location sal WHERE sal.service_id = @serviceId
                          ORDER BY sal.sort_order, sal.id LIMIT 1)
            SELECT o.name AS OrganizationName, s.name AS ServiceName, l.address_1 AS Street, l.postal_code AS PostalCode, l.city AS City,
                   (SELECT p.number FROM directory.phone p
                    WHERE (p.service_id = s.id OR p.location_id = l.id OR p.organization_id = o.id) AND coalesce(p.type, 'voice') <> 'fax'
                    ORDER BY (p.service_id IS NULL), (p.location_id IS NULL), p.id LIMIT 1) AS Phone,
                   l.id AS LocationId
            FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
            LEFT JOIN main ON true LEFT JOIN directory.location l ON l.id = main.location_id
            WHERE s.id = @serviceId
            """, new { serviceId }, cancellationToken: ct));
        if (card is null) return null;
        var hours = await conn.QueryAsync<HoursRow>(new CommandDefinition("""
            SELECT weekday::int AS Weekday, opens_at AS Opens, closes_at AS Closes, description AS Description,
                   (service_id IS NOT NULL) AS FromService FROM directory.schedule
            WHERE (service_id = @serviceId OR location_id = @locationId) AND (valid_to IS NULL OR valid_to >= current_date)
            ORDER BY (service_id IS NULL), weekday, opens_at
            """, new { serviceId, locationId = card.LocationId }, cancellationToken: ct));
        var list = hours.ToList();
        // The service's own hours when it has any; else its location's.
        if (list.Any(h => h.FromService)) list = list.Where(h => h.FromService).ToList();
        return new ServiceContactCard(card.OrganizationName, card.ServiceName, card.Street, card.PostalCode, card.City, card.Phone,
            list.Select(h => new OpeningHours(h.Weekday, TimeOnly.FromTimeSpan(h.Opens), TimeOnly.FromTimeSpan(h.Closes), h.Description)).Distinct().ToList());
    }

    private sealed class CardRow
    {
        public string OrganizationName { get; set; } = "";
        public string ServiceName { get; set; } = "";
        public string? Street { get; set; }
        public string? PostalCode { get; set; }
        public string? City { get; set; }
        public string? Phone { get; set; }
        public Guid? LocationId { get; set; }
    }

    private sealed class HoursRow
    {
        public int Weekday { get; set; }
        public TimeSpan Opens { get; set; }
        public TimeSpan Closes { get; set; }
        public string? Description { get; set; }
        public bool FromService { get; set; }
    }

    private sealed class Row
    {
        public Guid ServiceId { get; set; }
        public string ServiceName { get; set; } = "";
        public Guid OrganizationId { get; set; }
        public string OrganizationName { get; set; } = "";
        public string[] CategoryCodes { get; set; } = [];
        public string? District { get; set; }
        public string? ReferralEmail { get; set; }
        public string Status { get; set; } = "";
    }
}
