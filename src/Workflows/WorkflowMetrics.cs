using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netzwerk.Workflows.DeadLetters;
using Npgsql;

namespace Netzwerk.Workflows;

/// <summary>
/// Messaging figures for operators (meter <see cref="MeterName"/>): transitions of the modules' workflows by workflow, event
/// and resulting status (the machines' own names, never ids or free text; the modules report them), and the backlogs of outbox, deadlines and dead letters, sampled
/// in the background so that a scrape never waits for the database or the broker.
/// </summary>
public sealed class WorkflowMetrics : BackgroundService
{
    public const string MeterName = "Netzwerk.Workflows";
    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(15);

    private readonly Counter<long> _transitions;
    private readonly IServiceProvider _services;
    private readonly ILogger<WorkflowMetrics> _logger;
    private readonly ObservableGauge<long> _outboxGauge;
    private long? _outbox, _deadlinesScheduled, _deadlinesOverdue, _deadLetters;

    public WorkflowMetrics(IMeterFactory meters, IServiceProvider services, ILogger<WorkflowMetrics> logger)
    {
        _services = services;
        _logger = logger;
        var meter = meters.Create(MeterName);
        _transitions = meter.CreateCounter<long>("netzwerk.workflow.transitions", description: "Events applied to workflow instances");
        _outboxGauge = meter.CreateObservableGauge("netzwerk.outbox.pending", () => Measure(_outbox), description: "Messages not yet published");
        meter.CreateObservableGauge("netzwerk.deadlines.pending", () => new[]
        {
            new Measurement<long>(_deadlinesScheduled ?? 0, new KeyValuePair<string, object?>("state", "scheduled")),
            new Measurement<long>(_deadlinesOverdue ?? 0, new KeyValuePair<string, object?>("state", "overdue")),
        }, description: "Open deadlines: not yet due, or due and not yet fired");
        meter.CreateObservableGauge("netzwerk.dead_letters", () => Measure(_deadLetters), description: "Messages in error queues");
    }

    private static IEnumerable<Measurement<long>> Measure(long? value) => value is { } v ? [new Measurement<long>(v)] : [];

    public void Transition(string workflow, string eventName, string toStatus)
        => _transitions.Add(1, new KeyValuePair<string, object?>("workflow", workflow), new KeyValuePair<string, object?>("event", eventName),
            new KeyValuePair<string, object?>("status", toStatus));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Only while something reads the figures (an exporter listens to the meter).
            if (_outboxGauge.Enabled) await SampleAsync(stoppingToken);
            await Task.Delay(SampleInterval, stoppingToken).ContinueWith(_ => { });
        }
    }

    public async Task SampleAsync(CancellationToken ct)
    {
        try
        {
            var db = _services.GetRequiredService<NpgsqlDataSource>();
            await using var cmd = db.CreateCommand("""
                SELECT (SELECT count(*) FROM workflows.outbox WHERE sent_at IS NULL),
                       (SELECT count(*) FROM workflows.deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at > now()),
                       (SELECT count(*) FROM workflows.deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= now())
                """);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
                (_outbox, _deadlinesScheduled, _deadlinesOverdue) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            _logger.LogDebug("Workflow backlog not sampled ({ExceptionType})", e.GetType().Name);
        }
        try
        {
            var queues = await _services.GetRequiredService<DeadLetterQueues>().ListAsync(samples: 0, ct);
            _deadLetters = queues.Sum(q => q.Messages);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The management API is optional; without it the gauge stays empty rather than claiming zero.
            _deadLetters = null;
            _logger.LogDebug("Dead letters not counted ({ExceptionType})", e.GetType().Name);
        }
    }
}
