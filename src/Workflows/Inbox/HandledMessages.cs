using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Netzwerk.Workflows.Inbox;

/// <summary>A message id a consumer has handled (table <c>workflows.handled_messages</c>).</summary>
public sealed class HandledMessage
{
    public string Consumer { get; set; } = "";
    public Guid MessageId { get; set; }
}

/// <summary>
/// The consumer side of at-least-once delivery: a message id is claimed in the consumer's own
/// transaction; a redelivered or duplicated message finds its id taken and changes nothing.
/// </summary>
public static class HandledMessages
{
    /// <summary>
    /// The frame of every consumer whose effect lives in PostgreSQL: one transaction runs the effect and saves what it
    /// tracked together with the claim of the message id. The broker gets its acknowledgement only after this commit; a
    /// duplicate commits nothing. An exception rolls everything back (retry, then the error queue).
    /// </summary>
    public static async Task HandleOnceAsync(DbContext db, string consumer, ConsumeContext context, Func<CancellationToken, Task> effect)
    {
        var ct = context.CancellationToken;
        var messageId = context.MessageId ?? throw new InvalidOperationException("MessageId missing");
        // Inside the transaction EF would wrap each save in a savepoint: extra round trips for nothing,
        // since a failure rolls back the whole transaction anyway.
        db.Database.AutoSavepointsEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The claim travels in the same batch as the effect's own writes (no round trip of its own). A duplicate runs the
        // effect's reads in vain and then meets the primary key — or waits there for a concurrent twin to commit.
        db.Add(new HandledMessage { Consumer = consumer, MessageId = messageId });
        try
        {
            await effect(ct);
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (IsClaimTaken(e))
        {
            db.ChangeTracker.Clear();
            return; // handled before: the transaction rolls back, the message is acknowledged
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Claims several message ids at once, for consumers that write in groups; call inside the transaction of their
    /// effect. Returns the ids claimed now — those handled before (or listed twice) are not among them.
    /// </summary>
    public static async Task<HashSet<Guid>> ClaimAsync(DbContext db, string consumer, Guid[] messageIds, CancellationToken ct = default)
        => (await db.Database.SqlQuery<Guid>($"""
            INSERT INTO workflows.handled_messages (consumer, message_id) SELECT {consumer}, unnest({messageIds})
            ON CONFLICT DO NOTHING RETURNING message_id AS "Value"
            """).ToListAsync(ct)).ToHashSet();

    /// <summary>True when the insert failed because the message id was claimed already.</summary>
    private static bool IsClaimTaken(Exception e) => e.InnerException is PostgresException
    {
        SqlState: PostgresErrorCodes.UniqueViolation, TableName: "handled_messages",
    };
}
