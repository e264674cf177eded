using Npgsql;

namespace Netzwerk.Platform.Audit;

/// <summary>Filters of the Datenschutz audit viewer; all optional, combined with AND.</summary>
public sealed record AuditFilter(string? User, string? ObjectType, string? ObjectId, string? Action, DateTimeOffset? From, DateTimeOffset? To, int Page = 1)
{
    public const int PageSize = 50;
}

public sealed record AuditPage(IReadOnlyList<AuditRow> Entries, long Total, int Page, int PageSize);

/// <summary>Reads the audit trail for the Datenschutz role, newest first.</summary>
public sealed class AuditSearch(NpgsqlDataSource dataSource)
{
    public async Task<AuditPage> FindAsync(AuditFilter f, CancellationToken ct = default)
    {
        var where = new List<string>();
        var args = new List<object>();
        void Add(string sql, object value) { args.Add(value); where.Add(sql.Replace("?", "$" + args.Count)); }
        if (!string.IsNullOrWhiteSpace(f.User)) Add("user_id = ?", f.User.Trim());
        if (!string.IsNullOrWhiteSpace(f.ObjectType)) Add("object_type = ?", f.ObjectType.Trim());
        if (!string.IsNullOrWhiteSpace(f.ObjectId)) Add("object_id = ?", f.ObjectId.Trim());
        if (!string.IsNullOrWhiteSpace(f.Action)) Add("action = ?", f.Action.Trim());
        if (f.From is { } from) Add("at >= ?", from.ToUniversalTime());
        if (f.To is { } to) Add("at < ?", to.ToUniversalTime());
        var whereSql = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        var page = Math.Max(1, f.Page);

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM platform.audit_entries {whereSql}", conn))
        {
            foreach (var a in args) count.Parameters.Add(new NpgsqlParameter { Value = a });
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        await using var cmd = new NpgsqlCommand(
            $"SELECT {AuditRows.Columns} FROM platform.audit_entries {whereSql} ORDER BY id DESC LIMIT {AuditFilter.PageSize} OFFSET {(page - 1) * AuditFilter.PageSize}", conn);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<AuditRow>();
        while (await r.ReadAsync(ct)) rows.Add(AuditRows.Read(r));
        return new AuditPage(rows, total, page, AuditFilter.PageSize);
    }
}
