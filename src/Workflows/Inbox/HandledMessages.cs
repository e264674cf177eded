using Microsoft.EntityFrameworkCore;

namespace Netzwerk.Workflows.Inbox;

/// <summary>
/// The consumer side of at-least-once delivery: a message id is claimed in the consumer's own
/// transaction; a redelivered or duplicated message finds its id taken and changes nothing.
/// </summary>
public static class HandledMessages
{
    /// <summary>True when this consumer has not handled the message before. Call inside the effect's transaction.</summary>
    public static async Task<bool> TryClaimAsync(DbContext db, string consumer, Guid messageId, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Claim a message id inside the transaction of its effect.");
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO workflows.handled_messages (consumer, message_id) VALUES ({consumer}, {messageId}) ON CONFLICT DO NOTHING", ct);
        return inserted == 1;
    }
}
