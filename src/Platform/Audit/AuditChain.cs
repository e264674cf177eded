using Npgsql;

namespace Netzwerk.Platform.Audit;

/// <summary>Result of walking the chain: intact, or the first entry where it breaks and why.</summary>
public sealed record ChainReport(bool Intact, long EntriesChecked, long? LastId, long? FirstBrokenId, string? Problem);

/// <summary>
/// Checks the audit trail: every entry's hash must match its fields, and every entry must point to the hash of
/// the entry before it. The one implementation behind <c>GET /api/audit/verify</c> and <c>deploy/audit-verify.sh</c>.
/// </summary>
public sealed class AuditChain(NpgsqlDataSource dataSource)
{
    public async Task<ChainReport> VerifyAsync(CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT id, at, user_id, role, action, object_type, object_id, outcome, remote_address, detail, previous_hash, hash
            FROM platform.audit_entries ORDER BY id
            """);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var previousHash = "";
        long? previousId = null;
        long count = 0;
        while (await reader.ReadAsync(ct))
        {
            var row = AuditRows.Read(reader);
            count++;
            if (row.ComputeHash() != row.Hash)
                return Broken(row.Id, $"Eintrag Nr. {row.Id} wurde verändert: sein Inhalt passt nicht mehr zu seinem Hash.");
            if (row.PreviousHash != previousHash)
            {
                if (previousId is null)
                    return Broken(row.Id, $"Der Anfang des Protokolls fehlt: Eintrag Nr. {row.Id} verweist auf einen Vorgänger, den es nicht mehr gibt.");
                if (row.Id != previousId + 1)
                    return Broken(previousId.Value + 1, row.Id == previousId + 2
                        ? $"Eintrag Nr. {previousId + 1} fehlt (gelöscht)."
                        : $"Die Einträge Nr. {previousId + 1} bis {row.Id - 1} fehlen (gelöscht).");
                return Broken(previousId.Value, $"Eintrag Nr. {previousId} (oder Nr. {row.Id}) wurde ersetzt: Eintrag Nr. {row.Id} verweist nicht auf den gespeicherten Vorgänger.");
            }
            previousHash = row.Hash;
            previousId = row.Id;
        }
        return new ChainReport(true, count, previousId, null, null);

        ChainReport Broken(long id, string problem) => new(false, count, previousId, id, problem);
    }
}

internal static class AuditRows
{
    public const string Columns = "id, at, user_id, role, action, object_type, object_id, outcome, remote_address, detail, previous_hash, hash";

    public static AuditRow Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9),
        r.GetString(10), r.GetString(11));
}
