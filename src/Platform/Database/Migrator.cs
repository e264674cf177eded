using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Netzwerk.Platform.Database;

/// <summary>
/// Applies the ordered SQL files each module embeds under <c>Migrations/NNNN_name.sql</c>.
/// Applied files are recorded per module in <c>public.schema_versions</c>; an advisory lock keeps
/// several instances starting at once from applying the same file twice.
/// </summary>
public sealed class Migrator(NpgsqlDataSource dataSource, IEnumerable<MigrationSource> sources, ILogger<Migrator> logger)
{
    private const long LockKey = 0x4E45_545A_5745_524B; // "NETZWERK"

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await Execute(conn, null, """
            CREATE TABLE IF NOT EXISTS public.schema_versions (
                module text NOT NULL,
                version text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (module, version))
            """, ct);
        await Execute(conn, null, $"SELECT pg_advisory_lock({LockKey})", ct);
        try
        {
            foreach (var source in sources.OrderBy(s => s.Order))
                foreach (var (version, sql) in source.Scripts())
                    await ApplyAsync(conn, source.Module, version, sql, ct);
        }
        finally
        {
            await Execute(conn, null, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    /// <summary>True when every embedded script has been applied (used by /health/ready).</summary>
    public async Task<bool> IsUpToDateAsync(CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT module || '/' || version FROM public.schema_versions", conn);
        var applied = new HashSet<string>();
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
        return sources.All(s => s.Scripts().All(x => applied.Contains($"{s.Module}/{x.Version}")));
    }

    private async Task ApplyAsync(NpgsqlConnection conn, string module, string version, string sql, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var check = new NpgsqlCommand(
            "SELECT 1 FROM public.schema_versions WHERE module = $1 AND version = $2", conn, tx))
        {
            check.Parameters.AddWithValue(module);
            check.Parameters.AddWithValue(version);
            if (await check.ExecuteScalarAsync(ct) is not null) return;
        }
        logger.LogInformation("Applying migration {Module}/{Version}", module, version);
        await Execute(conn, tx, sql, ct);
        await using (var record = new NpgsqlCommand(
            "INSERT INTO public.schema_versions (module, version) VALUES ($1, $2)", conn, tx))
        {
            record.Parameters.AddWithValue(module);
            record.Parameters.AddWithValue(version);
            await record.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    private static async Task Execute(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx) { CommandTimeout = 600 };
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>One module's embedded migration scripts. <paramref name="Order"/> decides which module migrates first.</summary>
public sealed record MigrationSource(string Module, Assembly Assembly, int Order)
{
    public IEnumerable<(string Version, string Sql)> Scripts()
    {
        // Resource names look like "Netzwerk.Directory.Migrations.0001_catalogue.sql".
        foreach (var name in Assembly.GetManifestResourceNames()
                     .Where(n => n.Contains(".Migrations.") && n.EndsWith(".sql"))
                     .OrderBy(n => n, StringComparer.Ordinal))
        {
            using var stream = Assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var file = name[(name.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
            yield return (file[..^".sql".Length], reader.ReadToEnd());
        }
    }
}
