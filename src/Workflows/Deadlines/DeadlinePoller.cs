using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netzwerk.Workflows.Contracts;
using Netzwerk.Workflows.Outbox;
using Npgsql;

namespace Netzwerk.Workflows.Deadlines;

public sealed class DeadlineSettings
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Durable timers without a delayed-message exchange: due rows of <c>workflows.deadlines</c> are claimed
/// with <c>FOR UPDATE SKIP LOCKED</c>, and in the same transaction marked fired and turned into an outbox
/// message (<see cref="ReferralReminderDue"/> or <see cref="ReferralEscalated"/>). A deadline whose reason
/// has passed (the referral moved on) is cancelled instead. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class DeadlinePoller(NpgsqlDataSource dataSource, TimeProvider clock, DeadlineSettings settings, ILogger<DeadlinePoller> logger)
    : BackgroundService
{
    // Which workflow states still need a deadline of each kind.
    private static readonly Dictionary<string, string[]> StillNeededIn = new()
    {
        [DeadlineKinds.PartnerResponse] = ["Requested"],
        [DeadlineKinds.Reminder] = ["Requested"],
        [DeadlineKinds.Escalation] = ["Requested"],
        [DeadlineKinds.Attendance] = ["Accepted"],
        [DeadlineKinds.ConsentExpiry] = ["Draft", "Requested", "Accepted", "InProgress", "OnHold"],
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await FireDueAsync(stoppingToken) > 0) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                logger.LogWarning("Deadline poll failed ({ExceptionType}); retrying", e.GetType().Name);
            }
            await Task.Delay(settings.PollInterval, clock, stoppingToken).ContinueWith(_ => { });
        }
    }

    /// <summary>Fires (or cancels) up to 100 due deadlines; returns how many it handled.</summary>
    public async Task<int> FireDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var due = new List<(Guid Id, Guid ReferralId, string Kind, DateTimeOffset DueAt, string? Detail, string? State)>();
        await using (var select = new NpgsqlCommand("""
            SELECT d.id, d.referral_id, d.kind, d.due_at, d.detail, s.current_state
            FROM workflows.deadlines d LEFT JOIN referrals.referrals s ON s.id = d.referral_id
            WHERE d.fired_at IS NULL AND d.cancelled_at IS NULL AND d.due_at <= $1
            ORDER BY d.due_at LIMIT 100
            FOR UPDATE OF d SKIP LOCKED
            """, conn, tx))
        {
            select.Parameters.AddWithValue(now);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                due.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        foreach (var d in due)
        {
            var needed = d.State is not null && StillNeededIn.TryGetValue(d.Kind, out var states) && states.Contains(d.State);
            await using (var mark = new NpgsqlCommand(needed
                ? "UPDATE workflows.deadlines SET fired_at = $2 WHERE id = $1"
                : "UPDATE workflows.deadlines SET cancelled_at = $2 WHERE id = $1", conn, tx))
            {
                mark.Parameters.AddWithValue(d.Id);
                mark.Parameters.AddWithValue(now);
                await mark.ExecuteNonQueryAsync(ct);
            }
            if (!needed) continue;
            object message = d.Kind == DeadlineKinds.Escalation
                ? new ReferralEscalated(d.ReferralId, d.Id, d.Detail ?? "Teamleitung", now)
                : new ReferralReminderDue(d.ReferralId, d.Id, d.Kind, d.DueAt);
            var row = OutboxMessage.For(message);
            // The deadline id doubles as the message id: firing twice could never produce two messages.
            await using var insert = new NpgsqlCommand(
                "INSERT INTO workflows.outbox (id, message_type, body) VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING", conn, tx);
            insert.Parameters.AddWithValue(d.Id);
            insert.Parameters.AddWithValue(row.MessageType);
            insert.Parameters.AddWithValue(row.Body);
            await insert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return due.Count;
    }
}
