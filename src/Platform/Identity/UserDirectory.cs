using Npgsql;

namespace Netzwerk.Platform.Identity;

/// <summary>
/// The users this app has seen (recorded at every sign-in; demo users at start in demo mode).
/// Identity providers know teams, we only learn them at sign-in: enough to check "deputy from the same team".
/// </summary>
public sealed class UserDirectory(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public sealed record KnownUser(string Id, string DisplayName, string Role, string? Team, Guid? OrganizationId);

    public async Task RecordSignInAsync(CurrentUser user, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO platform.users (id, display_name, role, team, organization_id, last_sign_in)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (id) DO UPDATE SET display_name = $2, role = $3, team = $4, organization_id = $5, last_sign_in = $6
            """);
        cmd.Parameters.AddWithValue(user.Id);
        cmd.Parameters.AddWithValue(user.Name);
        cmd.Parameters.AddWithValue(user.Role);
        cmd.Parameters.AddWithValue((object?)user.Team ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)user.OrganizationId ?? DBNull.Value);
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<KnownUser?> FindAsync(string id, CancellationToken ct = default)
        => (await QueryAsync("WHERE id = $1", id, ct)).FirstOrDefault();

    public Task<IReadOnlyList<KnownUser>> TeamAsync(string team, CancellationToken ct = default)
        => QueryAsync("WHERE team = $1 ORDER BY display_name", team, ct);

    private async Task<IReadOnlyList<KnownUser>> QueryAsync(string where, string arg, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT id, display_name, role, team, organization_id FROM platform.users {where}");
        cmd.Parameters.AddWithValue(arg);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<KnownUser>();
        while (await r.ReadAsync(ct))
            list.Add(new KnownUser(r.GetString(0), r.GetString(1), r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetGuid(4)));
        return list;
    }
}

/// <summary>Demo mode: the demo users are known from the start (so deputies can be chosen before they sign in).</summary>
public sealed class DemoUserSeeder(UserDirectory users) : IDemoDataSeeder
{
    public int Order => 0;

    public async Task SeedAsync(CancellationToken ct)
    {
        foreach (var u in DemoUsers.All)
            await users.RecordSignInAsync(new CurrentUser(u.UserName, u.DisplayName, u.Role, u.OrganizationId, u.Team), ct);
    }
}
