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
            SELECT coalesce(nullif(s.referral_email, ''), o.referral_email), o.name
            FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
            WHERE s.id = $1
            """);
        cmd.Parameters.AddWithValue(serviceId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ReferralAddress(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1)) : null;
    }

    public async Task<string?> OrganizationNameAsync(Guid organizationId, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT name FROM directory.organization WHERE id = @organizationId", new { organizationId }, cancellationToken: ct));
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
