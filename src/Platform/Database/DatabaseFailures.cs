using Npgsql;

namespace Netzwerk.Platform.Database;

public static class DatabaseFailures
{
    /// <summary>
    /// PostgreSQL restarting, failing over or refusing connections, whether it surfaces directly or wrapped by EF Core:
    /// what Npgsql marks transient, the server's "shutting down / cannot connect now / connection" states (57P, 08, 53),
    /// and any failure below SQL (an NpgsqlException that is not the server's answer to a statement: a broken or confused
    /// connection). In each case the statement's transaction did not commit, so the work can simply be done again.
    /// </summary>
    public static bool IsUnavailable(Exception? ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pg)
                return pg.IsTransient || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
                    || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal);
            if (e is NpgsqlException) return true;
        }
        return false;
    }
}
