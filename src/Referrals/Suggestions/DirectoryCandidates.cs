using Dapper;
using Npgsql;

namespace Netzwerk.Referrals.Suggestions;

/// <summary>Active catalogue services of the given partner kinds (read-only over the directory's tables).</summary>
public sealed class DirectoryCandidates(NpgsqlDataSource dataSource) : ICandidateServices
{
    public async Task<IReadOnlyList<Guid>> CandidatesAsync(IReadOnlyList<string> categoryCodes, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var ids = await conn.QueryAsync<Guid>(new CommandDefinition("""
            SELECT DISTINCT s.id FROM directory.service s
            JOIN directory.service_taxonomy_term stt ON stt.service_id = s.id
            JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
            WHERE tt.code = ANY(@codes) AND s.status = 'active'
            LIMIT 50
            """, new { codes = categoryCodes.ToArray() }, cancellationToken: ct));
        return ids.ToList();
    }
}
