using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netzwerk.Platform.Database;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Platform;

/// <summary>Work that must finish before the app serves requests or consumes messages, ordered by <see cref="Order"/>.</summary>
public interface IStartupTask
{
    int Order { get; }
    Task RunAsync(CancellationToken ct);
}

/// <summary>Demo data loaders run only in demo mode, after all migrations.</summary>
public interface IDemoDataSeeder
{
    int Order { get; }
    Task SeedAsync(CancellationToken ct);
}

/// <summary>Settings of demo mode (configuration section <c>Demo</c>).</summary>
public sealed class DemoSettings
{
    public bool Enabled { get; set; }
}

/// <summary>
/// Migrates the database, loads the signing key and, in demo mode, the demo data. Registered before
/// the message bus so that no consumer runs against an old schema.
/// </summary>
public sealed class StartupTasksHostedService(IServiceProvider services, DemoSettings demo, ILogger<StartupTasksHostedService> logger) : IHostedService
{
    /// <summary>How long an instance waits for a database that is restarting or failing over before it gives up.</summary>
    public static readonly TimeSpan DatabaseWait = TimeSpan.FromMinutes(2);

    public async Task StartAsync(CancellationToken ct)
    {
        // An instance that starts while PostgreSQL restarts waits for it instead of dying: every step below is idempotent
        // (applied migrations are recorded, seeders look before they write), so the whole sequence simply runs again.
        var until = DateTime.UtcNow + DatabaseWait;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunOnceAsync(ct);
                return;
            }
            catch (Exception e) when (DatabaseFailures.IsUnavailable(e) && DateTime.UtcNow < until && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Database not available at start-up ({ExceptionType}), attempt {Attempt}; waiting", e.GetType().Name, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), ct);
            }
        }
    }

    private async Task RunOnceAsync(CancellationToken ct)
    {
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        await services.GetRequiredService<TokenSigningKeys>().LoadAsync(ct);
        foreach (var task in services.GetServices<IStartupTask>().OrderBy(t => t.Order))
            await task.RunAsync(ct);
        if (demo.Enabled)
        {
            using var scope = services.CreateScope();
            foreach (var seeder in scope.ServiceProvider.GetServices<IDemoDataSeeder>().OrderBy(s => s.Order))
                await seeder.SeedAsync(ct);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
