using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
public sealed class StartupTasksHostedService(IServiceProvider services, DemoSettings demo) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
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
