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
        var connectionString = configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException(
                "ConnectionStrings__Netzwerk ist nicht gesetzt (PostgreSQL-Verbindung).");
        services.AddSingleton(_ =>
        {
            // Statements used repeatedly (EF Core's, the outbox's, the audit log's) are prepared once per physical
            // connection: PostgreSQL parses and plans them once instead of on every round trip. DDL runs only in the
            // migrator at start-up, before any statement is used often enough to be prepared. An explicit setting wins.
            var settings = new NpgsqlConnectionStringBuilder(connectionString);
            if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) settings.MaxAutoPrepare = 64;
            var builder = new NpgsqlDataSourceBuilder(settings.ConnectionString);
            builder.EnableDynamicJson();
            return builder.Build();
        });
        services.AddSingleton<Migrator>();
        services.AddMigrations("platform", typeof(DatabaseSetup).Assembly, order: 0);
        return services;
    }

    /// <summary>Registers a module's embedded <c>Migrations/*.sql</c> files.</summary>
    public static IServiceCollection AddMigrations(this IServiceCollection services, string module, Assembly assembly, int order)
        => services.AddSingleton(new MigrationSource(module, assembly, order));
}
