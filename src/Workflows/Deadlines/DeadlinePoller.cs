using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netzwerk.Workflows.Outbox;
using Npgsql;
using NpgsqlTypes;

namespace Netzwerk.Workflows.Deadlines;

public sealed class DeadlineSettings
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Durable timers without a delayed-message exchange: due rows of <c>workflows.deadlines</c> are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> (several instances share the work, none fires a row another holds) and handed, grouped by
/// owner, to the owning module (<see cref="IDeadlineOwner"/>), which says whether each still applies. In the same
/// transaction a deadline is then marked fired and its message written to the outbox, or cancelled. Deadlines of an owner
/// this process does not know are left alone (and logged): another build may know them. Time comes from the injected
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class DeadlinePoller(NpgsqlDataSource dataSource, TimeProvider clock, DeadlineSettings settings, IEnumerable<IDeadlineOwner> owners,
    ILogger<DeadlinePoller> logger) : BackgroundService
{
    private readonly Dictionary<string, IDeadlineOwner> _owners = owners.ToDictionary(o => o.Owner);
    private readonly HashSet<string> _reportedUnknown = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await FireDueAsync(stoppingToken) > 0) { }
                await ReportUnknownOwnersAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                logger.LogWarning("Deadline poll failed ({ExceptionType}); retrying", e.GetType().Name);
            }
            await Task.Delay(settings.PollInterval, clock, stoppingToken).ContinueWith(_ => { });
        }
    }

    /// <summary>Fires (or cancels) up to 100 due deadlines of known owners; returns how many it claimed.</summary>
    public async Task<int> FireDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var due = new List<(string Owner, DueDeadline Deadline)>();
        await using (var select = new NpgsqlCommand("""
            SELECT id, owner, subject_id, kind, due_at, detail FROM workflows.deadlines
            WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1 AND owner = ANY($2)
            ORDER BY due_at LIMIT 100
            FOR UPDATE SKIP LOCKED
            """, conn, tx))
        {
            select.Parameters.AddWithValue(now);
            select.Parameters.Add(new NpgsqlParameter { Value = _owners.Keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                due.Add((reader.GetString(1), new DueDeadline(reader.GetGuid(0), reader.GetGuid(2), reader.GetString(3),
                    reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetString(5))));
        }
        foreach (var group in due.GroupBy(d => d.Owner))
        {
            var owner = _owners[group.Key];
            var deadlines = group.Select(d => d.Deadline).ToList();
            var mine = deadlines.Select(d => d.Id).ToHashSet();
            foreach (var decision in await owner.DecideAsync(deadlines, conn, tx, now, ct))
            {
                if (!mine.Remove(decision.DeadlineId)) continue; // not one of the deadlines asked about
                await MarkAsync(conn, tx, decision.DeadlineId, decision.Fires, now, ct);
                if (!decision.Fires) continue;
                await OutboxWriter.WriteAsync(conn, tx, decision.Message!, ct, id: decision.DeadlineId);
                var subject = deadlines.First(d => d.Id == decision.DeadlineId).SubjectId;
                foreach (var next in decision.Then) await DeadlineWriter.ScheduleAsync(conn, tx, owner.Owner, subject, next, ct);
            }
            if (mine.Count > 0)
                logger.LogWarning("Deadline owner {Owner} left {Count} due deadlines undecided", owner.Owner, mine.Count);
        }
        await tx.CommitAsync(ct);
        return due.Count;
    }

    private static async Task MarkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, bool fired, DateTimeOffset now, CancellationToken ct)
    {
        await using var mark = new NpgsqlCommand(fired
            ? "UPDATE workflows.deadlines SET fired_at = $2 WHERE id = $1"
            : "UPDATE workflows.deadlines SET cancelled_at = $2 WHERE id = $1", conn, tx);
        mark.Parameters.AddWithValue(id);
        mark.Parameters.AddWithValue(now);
        await mark.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Due deadlines whose owner no module here answers for: logged once per owner, never cancelled.</summary>
    public async Task<IReadOnlyList<string>> ReportUnknownOwnersAsync(CancellationToken ct)
    {
        await using var select = dataSource.CreateCommand("""
            SELECT DISTINCT owner FROM workflows.deadlines
            WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1 AND NOT (owner = ANY($2))
            """);
        select.Parameters.AddWithValue(clock.GetUtcNow());
        select.Parameters.Add(new NpgsqlParameter { Value = _owners.Keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        var unknown = new List<string>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) unknown.Add(reader.GetString(0));
        foreach (var owner in unknown.Where(o => _reportedUnknown.Add(o)))
            logger.LogWarning("Due deadlines of unknown owner {Owner} are left alone", owner);
        return unknown;
    }
}
