using Netzwerk.Platform.Retention;
using Npgsql;

namespace Netzwerk.Workflows.Outbox;

/// <summary>
/// Keeps <c>workflows.outbox</c> and <c>workflows.handled_messages</c> small. A sent outbox row and a handled message id
/// only matter while a duplicate can still arrive (a row published again after a crash, a broker redelivery): minutes,
/// not months. They are kept <see cref="OutboxSettings.KeepSentDays"/> days for looking into, then deleted. Unsent rows
/// are never deleted. Measured against the database's clock, like the timestamps it compares.
/// </summary>
public sealed class MessageLogRetention(NpgsqlDataSource dataSource, OutboxSettings settings) : IRetentionTask
{
    public string Name => "workflows.message-log";

    // The runner's cutoff is the client data's period (years); these rows have their own, much shorter one.
    public async Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var sql in new[]
                 {
                     "DELETE FROM workflows.outbox WHERE sent_at < now() - make_interval(days => $1)",
                     "DELETE FROM workflows.handled_messages WHERE handled_at < now() - make_interval(days => $1)",
                 })
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue(settings.KeepSentDays);
            batch.BatchCommands.Add(command);
        }
        return await batch.ExecuteNonQueryAsync(ct); // rows deleted by both
    }
}
