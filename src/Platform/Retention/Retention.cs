using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netzwerk.Platform.Audit;

namespace Netzwerk.Platform.Retention;

/// <summary>
/// A module's deletion of data whose retention period has ended (e.g. client data of referrals closed
/// before <paramref name="cutoff"/>). Returns how many objects were deleted. Must be idempotent.
/// </summary>
public interface IRetentionTask
{
    /// <summary>Short stable name for the audit trail, e.g. "referrals.closed".</summary>
    string Name { get; }
    Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken ct);
}

/// <summary>Configuration section <c>Retention</c>.</summary>
public sealed class RetentionSettings
{
    /// <summary>Client data of referrals closed longer than this is deleted.</summary>
    public int ClosedReferralDays { get; set; } = 730;
    /// <summary>How often the tasks run.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);
    public bool Enabled { get; set; } = true;
}

/// <summary>Runs every registered <see cref="IRetentionTask"/> once and writes one audit entry per task and run.</summary>
public sealed class RetentionRunner(IServiceScopeFactory scopes, AuditLog audit, RetentionSettings settings, TimeProvider clock, ILogger<RetentionRunner> log)
{
    public async Task<IReadOnlyDictionary<string, int>> RunOnceAsync(CancellationToken ct = default)
    {
        var cutoff = clock.GetUtcNow().AddDays(-settings.ClosedReferralDays);
        var result = new Dictionary<string, int>();
        using var scope = scopes.CreateScope();
        foreach (var task in scope.ServiceProvider.GetServices<IRetentionTask>())
        {
            try
            {
                var deleted = await task.DeleteExpiredAsync(cutoff, ct);
                result[task.Name] = deleted;
                await audit.RecordAsync(new AuditEvent("retention-delete", "retention-task", task.Name, "ok",
                    $"deleted={deleted}; cutoff={cutoff:O}"), "system", "system", null, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError("Retention task {Task} failed with {ExceptionType}", task.Name, e.GetType().Name);
                await audit.RecordAsync(new AuditEvent("retention-delete", "retention-task", task.Name, "failed",
                    $"cutoff={cutoff:O}"), "system", "system", null, ct);
            }
        }
        return result;
    }
}

/// <summary>Runs the retention tasks once a day (first run shortly after start).</summary>
public sealed class RetentionService(RetentionRunner runner, RetentionSettings settings, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Enabled) return;
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(1), clock, stoppingToken);
            using var timer = new PeriodicTimer(settings.Interval, clock);
            do await runner.RunOnceAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
