using Npgsql;

namespace Netzwerk.Bench;

/// <summary>The throwaway databases the benchmarks create.</summary>
public static class BenchDatabase
{
    /// <summary>Drops it, retrying for a few seconds: an autovacuum worker may still be on it for a moment.</summary>
    public static async Task DropAsync(string connectionString, string database)
    {
        NpgsqlConnection.ClearAllPools();
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var conn = new NpgsqlConnection(admin);
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", conn);
                await cmd.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException) when (attempt < 5)
            {
                await Task.Delay(1000);
            }
        }
    }
}
