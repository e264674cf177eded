using Netzwerk.Platform.Time;
using Npgsql;

namespace Netzwerk.Platform.Identity;

/// <summary>
/// Who stands in for whom. A Fallmanager's recorded absence names a deputy; while it lasts the
/// deputy receives feedback and reminders and may act on the absent Fallmanager's referrals.
/// </summary>
public sealed class Deputies(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private DateOnly Today => clock.Today();

    /// <summary>The Fallmanager ids the given user currently deputises for.</summary>
    public async Task<IReadOnlyList<string>> DeputisedByAsync(string userId, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT DISTINCT case_manager_id FROM platform.absences
            WHERE deputy_id = $1 AND $2 BETWEEN starts_on AND ends_on
            """);
        cmd.Parameters.AddWithValue(userId);
        cmd.Parameters.AddWithValue(Today);
        var result = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result.Add(reader.GetString(0));
        return result;
    }

    /// <summary>
    /// Where feedback for a Fallmanager goes today: the Fallmanager when present, else the deputy,
    /// else null (then the team inbox receives it).
    /// </summary>
    public async Task<(bool Absent, string? Deputy)> ForCaseManagerAsync(string caseManagerId, CancellationToken ct = default)
        => (await ForCaseManagersAsync([caseManagerId], ct)).GetValueOrDefault(caseManagerId);

    /// <summary><see cref="ForCaseManagerAsync"/> for several Fallmanager in one query; those present are left out.</summary>
    public async Task<Dictionary<string, (bool Absent, string? Deputy)>> ForCaseManagersAsync(
        IReadOnlyCollection<string> caseManagerIds, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT DISTINCT ON (case_manager_id) case_manager_id, deputy_id FROM platform.absences
            WHERE case_manager_id = ANY($1) AND $2 BETWEEN starts_on AND ends_on
            ORDER BY case_manager_id, recorded_at DESC
            """);
        cmd.Parameters.AddWithValue(caseManagerIds.ToArray());
        cmd.Parameters.AddWithValue(Today);
        var result = new Dictionary<string, (bool, string?)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetString(0)] = (true, reader.IsDBNull(1) ? null : reader.GetString(1));
        return result;
    }

    /// <summary>True when <paramref name="userId"/> is the Fallmanager or deputises for them today.</summary>
    public async Task<bool> MayActForAsync(string userId, string caseManagerId, CancellationToken ct = default)
        => userId == caseManagerId || (await DeputisedByAsync(userId, ct)).Contains(caseManagerId);
}
