using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Netzwerk.Platform.Database;
using Netzwerk.Platform.Identity;
using Npgsql;

namespace Netzwerk.Platform.Audit;

/// <summary>What happened to which object; <see cref="AuditLog"/> adds who, when and from where.</summary>
public sealed record AuditEvent(string Action, string ObjectType, string ObjectId, string Outcome = "ok", string? Detail = null);

/// <summary>
/// The tamper-evident audit trail. Each entry's hash covers its fields and the previous entry's hash,
/// so removing or altering a row breaks the chain from there on. Entries never hold client names.
/// Entries recorded at the same moment are written together (group commit): one chain lock and one
/// commit for the whole group, and every caller returns only after its entry is committed.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource dataSource, IHttpContextAccessor http, TimeProvider clock)
{
    // One writer at a time keeps the chain linear across instances.
    private const long ChainLock = 0x4155_4449_5400;
    private const int MaxGroup = 256;

    private readonly GroupCommit<AuditRow> _group = new(group => WriteGroupAsync(dataSource, group), MaxGroup);

    public Task RecordAsync(AuditEvent e, CancellationToken ct = default)
    {
        var ctx = http.HttpContext;
        var user = ctx is null ? null : Identity.CurrentUser.From(ctx.User);
        return RecordAsync(e, user?.Id ?? "system", user?.Role ?? "system", ctx?.Connection.RemoteIpAddress?.ToString(), ct);
    }

    public async Task RecordAsync(AuditEvent e, string userId, string role, string? remoteAddress, CancellationToken ct = default)
    {
        // Microsecond precision: what PostgreSQL stores is what the hash covers.
        var at = new DateTimeOffset(clock.GetUtcNow().UtcTicks / 10 * 10, TimeSpan.Zero);
        var row = new AuditRow(0, at, userId, role, e.Action, e.ObjectType, e.ObjectId, e.Outcome, remoteAddress, e.Detail, "", "");
        await _group.WriteAsync(row, ct);
    }

    private static async Task WriteGroupAsync(NpgsqlDataSource dataSource, IReadOnlyList<GroupCommit<AuditRow>.Pending> group)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        // The chain lock and the chain's last hash in one round trip (the second statement runs once the lock is held).
        string previous;
        await using (var head = new NpgsqlBatch(conn, tx)
                     {
                         BatchCommands =
                         {
                             new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({ChainLock})"),
                             new NpgsqlBatchCommand("SELECT hash FROM platform.audit_entries ORDER BY id DESC LIMIT 1"),
                         },
                     })
        await using (var reader = await head.ExecuteReaderAsync())
        {
            await reader.NextResultAsync();
            previous = await reader.ReadAsync() ? reader.GetString(0) : "";
        }

        // The whole group as one statement over arrays: one executor start instead of one per entry (under load
        // the statements, not the rows, are what PostgreSQL spends its time on). Ids follow the array order.
        var n = group.Count;
        var at = new DateTimeOffset[n];
        string[] userId = new string[n], role = new string[n], action = new string[n], objectType = new string[n],
            objectId = new string[n], outcome = new string[n], previousHash = new string[n], hash = new string[n];
        string?[] remoteAddress = new string?[n], detail = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var entry = group[i].Item with { PreviousHash = previous };
            (at[i], userId[i], role[i], action[i], objectType[i], objectId[i], outcome[i], remoteAddress[i], detail[i])
                = (entry.At, entry.UserId, entry.Role, entry.Action, entry.ObjectType, entry.ObjectId, entry.Outcome, entry.RemoteAddress, entry.Detail);
            previousHash[i] = previous;
            hash[i] = previous = entry.ComputeHash();
        }
        await using var insert = new NpgsqlCommand("""
            INSERT INTO platform.audit_entries
                (at, user_id, role, action, object_type, object_id, outcome, remote_address, detail, previous_hash, hash)
            SELECT at, user_id, role, action, object_type, object_id, outcome, remote_address, detail, previous_hash, hash
            FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                        $9::text[], $10::text[], $11::text[]) WITH ORDINALITY
                 AS e(at, user_id, role, action, object_type, object_id, outcome, remote_address, detail, previous_hash, hash, n)
            ORDER BY n
            """, conn, tx)
        {
            Parameters =
            {
                new() { Value = at }, new() { Value = userId }, new() { Value = role }, new() { Value = action },
                new() { Value = objectType }, new() { Value = objectId }, new() { Value = outcome }, new() { Value = remoteAddress },
                new() { Value = detail }, new() { Value = previousHash }, new() { Value = hash },
            },
        };
        await insert.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }
}

public sealed record AuditRow(
    long Id, DateTimeOffset At, string UserId, string Role, string Action, string ObjectType, string ObjectId,
    string Outcome, string? RemoteAddress, string? Detail, string PreviousHash, string Hash)
{
    public string ComputeHash()
    {
        var canonical = string.Join('\u001f', At.UtcTicks, UserId, Role, Action, ObjectType, ObjectId, Outcome,
            RemoteAddress ?? "", Detail ?? "", PreviousHash);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
