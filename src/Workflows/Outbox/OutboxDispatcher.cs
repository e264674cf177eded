using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Netzwerk.Workflows.Outbox;

public sealed class OutboxSettings
{
    public int BatchSize { get; set; } = 200;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Days that sent messages and handled message ids are kept (<see cref="MessageLogRetention"/>).</summary>
    public int KeepSentDays { get; set; } = 30;
}

/// <summary>
/// Publishes what the web side and the consumers wrote to <c>workflows.outbox</c>. Woken by
/// LISTEN/NOTIFY (a trigger on the table), with polling as a fallback. Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so several app instances share the work; a row is marked sent only
/// after the broker confirmed it (publisher confirms). A crash between confirm and commit publishes
/// the row again with the same MessageId — the consumers' inbox drops the duplicate.
/// </summary>
public sealed class OutboxDispatcher(NpgsqlDataSource dataSource, IBus bus, MessageContracts contracts, OutboxSettings settings, IHostApplicationLifetime lifetime,
    ILogger<OutboxDispatcher> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The bus starts after this service; publish only once the whole host is up.
        await Task.Delay(Timeout.Infinite, lifetime.ApplicationStarted).ContinueWith(_ => { });
        if (stoppingToken.IsCancellationRequested) return;
        _ = ListenAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DispatchBatchAsync(stoppingToken) == settings.BatchSize) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                logger.LogWarning("Outbox dispatch failed ({ExceptionType}); retrying", e.GetType().Name);
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken).ContinueWith(_ => { });
            }
            await _wake.WaitAsync(settings.PollInterval, stoppingToken).ContinueWith(_ => { });
            while (_wake.CurrentCount > 0) await _wake.WaitAsync(0);
        }
    }

    /// <summary>Publishes one batch; returns how many rows it handled.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var rows = new List<(Guid Id, string Type, string Body)>();
        await using (var select = new NpgsqlCommand("""
            SELECT id, message_type, body::text FROM workflows.outbox
            WHERE sent_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED
            """, conn, tx))
        {
            select.Parameters.AddWithValue(settings.BatchSize);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add((reader.GetGuid(0), reader.GetString(1), reader.GetString(2)));
        }
        if (rows.Count == 0) return 0;

        var sent = new List<Guid>();
        var failed = new List<(Guid, string)>();
        await Task.WhenAll(rows.Select(async row =>
        {
            try
            {
                var type = contracts.Resolve(row.Type) ?? throw new InvalidOperationException($"Unknown message type {row.Type}");
                var message = JsonSerializer.Deserialize(row.Body, type, MessageJson.Options)!;
                await bus.Publish(message, type, ctx => ctx.MessageId = row.Id, ct);
                lock (sent) sent.Add(row.Id);
            }
            catch (Exception e)
            {
                lock (failed) failed.Add((row.Id, e.GetType().Name));
            }
        }));

        await using (var mark = new NpgsqlCommand(
            "UPDATE workflows.outbox SET sent_at = clock_timestamp(), attempts = attempts + 1 WHERE id = ANY($1)", conn, tx))
        {
            mark.Parameters.AddWithValue(sent.ToArray());
            await mark.ExecuteNonQueryAsync(ct);
        }
        foreach (var (id, error) in failed)
        {
            await using var fail = new NpgsqlCommand(
                "UPDATE workflows.outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1", conn, tx);
            fail.Parameters.AddWithValue(id);
            fail.Parameters.AddWithValue(error);
            await fail.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        if (failed.Count > 0)
        {
            logger.LogWarning("Outbox: {Failed} of {Total} messages not published; they stay pending", failed.Count, rows.Count);
            return 0; // back off until the next wake-up or poll
        }
        return rows.Count;
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(ct);
                conn.Notification += (_, _) => _wake.Release();
                await using (var listen = new NpgsqlCommand("LISTEN workflows_outbox", conn)) await listen.ExecuteNonQueryAsync(ct);
                _wake.Release(); // catch up with anything written before we listened
                while (!ct.IsCancellationRequested) await conn.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                logger.LogWarning("Outbox LISTEN connection lost ({ExceptionType}); polling meanwhile", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ContinueWith(_ => { });
            }
        }
    }
}
