using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Netzwerk.Workflows.Inbox;

/// <summary>
/// The consumer side of at-least-once delivery: a message id is claimed in the consumer's own
/// transaction; a redelivered or duplicated message finds its id taken and changes nothing.
/// </summary>
public static class HandledMessages
{
    /// <summary>
    /// The frame of every consumer whose effect lives in PostgreSQL: one transaction claims the message id, runs the
    /// effect and saves what it tracked. The broker gets its acknowledgement only after this commit; a duplicate
    /// commits nothing. An exception rolls everything back (retry, then the error queue).
    /// </summary>
    public static async Task HandleOnceAsync(DbContext db, string consumer, ConsumeContext context, Func<CancellationToken, Task> effect)
    {
        var ct = context.CancellationToken;
        var messageId = context.MessageId ?? throw new InvalidOperationException("MessageId missing");
        // Inside the transaction EF would wrap each save in a savepoint: extra round trips for nothing,
        // since a failure rolls back the whole transaction anyway.
        db.Database.AutoSavepointsEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await TryClaimAsync(db, consumer, messageId, ct)) return;
        await effect(ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>True when this consumer has not handled the message before (inside the frame's transaction).</summary>
    private static async Task<bool> TryClaimAsync(DbContext db, string consumer, Guid messageId, CancellationToken ct)
    {
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO workflows.handled_messages (consumer, message_id) VALUES ({consumer}, {messageId}) ON CONFLICT DO NOTHING", ct);
        return inserted == 1;
    }
}
