using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Netzwerk.Platform.Database;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "Netzwerk";

    /// <summary>One shared NpgsqlDataSource (connection pool) for all modules and the migrator.</summary>
    public static IServiceCollection AddNetzwerkDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = ConnectionString(configuration);
        services.AddSingleton(_ => CreateDataSource(connectionString));
        services.AddSingleton<Migrator>();
        services.AddMigrations("platform", typeof(DatabaseSetup).Assembly, order: 0);
        return services;
    }

    /// <summary>
    /// A data source (connection pool) with the app's defaults; <paramref name="sessionOptions"/> become the session's
    /// settings at connection start-up (e.g. <c>-c jit=off</c> for a pool that serves only one kind of statement).
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString, string? sessionOptions = null)
    {
        // Statements used repeatedly (EF Core's, the outbox's, the audit log's) are prepared once per physical
        // connection: PostgreSQL parses and plans them once instead of on every round trip. DDL runs only in the
        // migrator at start-up, before any statement is used often enough to be prepared. An explicit setting wins.
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) settings.MaxAutoPrepare = 64;
        // A connection going back to the pool would otherwise be reset with seven statements (RESET ALL, UNLISTEN *,
        // pg_advisory_unlock_all(), …, as DISCARD ALL would drop the prepared statements) before its next use: about
        // 260 statements per referral lifecycle. Nothing here leaves session state behind: settings are SET LOCAL or
        // start-up options, advisory locks are transaction-scoped or released in a finally (migrator), and LISTEN runs
        // on the outbox's own long-lived connection.
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)) settings.NoResetOnClose = true;
        if (sessionOptions is not null) settings.Options = string.Join(' ', settings.Options, sessionOptions).Trim();
        var builder = new NpgsqlDataSourceBuilder(settings.ConnectionString);
        builder.EnableDynamicJson();
        return builder.Build();
    }

    public static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName)
        ?? throw new InvalidOperationException("ConnectionStrings__Netzwerk ist nicht gesetzt (PostgreSQL-Verbindung).");

    /// <summary>Registers a module's embedded <c>Migrations/*.sql</c> files.</summary>
    public static IServiceCollection AddMigrations(this IServiceCollection services, string module, Assembly assembly, int order)
        => services.AddSingleton(new MigrationSource(module, assembly, order));
}
