using Npgsql;

namespace Netzwerk.Directory.Catalogue;

/// <summary>
/// Keeps <c>directory.service_search</c> (the denormalised search document) in step with the catalogue tables.
/// Call after every change to a service, its organisation, locations, terms, languages or opening hours.
/// </summary>
public sealed class SearchIndex(NpgsqlDataSource dataSource)
{
    public async Task RefreshAsync(IReadOnlyCollection<Guid> serviceIds, CancellationToken ct = default)
    {
        if (serviceIds.Count == 0) return;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await RefreshAsync(conn, null, serviceIds, ct);
    }

    /// <summary>Inside the caller's transaction, so the search document commits together with the change.</summary>
    public static async Task RefreshAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyCollection<Guid> serviceIds, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("SELECT directory.refresh_service_search($1)", conn, tx) { CommandTimeout = 600 };
        cmd.Parameters.AddWithValue(serviceIds.ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Services of an organisation (after the organisation's name or status changed).</summary>
    public async Task RefreshOrganizationAsync(Guid organizationId, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT directory.refresh_service_search(array(SELECT id FROM directory.service WHERE organization_id = $1))", conn);
        cmd.Parameters.AddWithValue(organizationId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Rewrites the search table in main-category order (after bulk imports, or nightly): a search for a
    /// category word then reads a few neighbouring pages instead of the whole table. Takes a short exclusive lock.
    /// </summary>
    public async Task ReorganizeAsync(CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "CLUSTER directory.service_search USING service_search_cluster; ANALYZE directory.service_search", conn) { CommandTimeout = 3600 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Taxonomy term and synonym words become known to the typo correction.</summary>
    public async Task RefreshVocabularyAsync(CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT directory.refresh_vocabulary()", conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
