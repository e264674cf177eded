using MassTransit;
using Netzwerk.Platform.Database;

namespace Netzwerk.Platform.Messaging;

/// <summary>
/// Retry policies for consumers, applied in this order (the first wraps the second):
/// <c>endpoint.UseMessageRetry(MessageRetry.WhileDatabaseAway); endpoint.UseMessageRetry(MessageRetry.Quick);</c>
/// Consumers are idempotent, so a retry after a commit whose acknowledgement was lost changes nothing.
/// </summary>
public static class MessageRetry
{
    /// <summary>Whatever went wrong: a few quick retries (a deadlock, a concurrent change), then the next policy or <c>_error</c>.</summary>
    public static void Quick(IRetryConfigurator retry) => retry.Intervals(100, 500, 1000, 2000);

    /// <summary>
    /// Only while PostgreSQL restarts or fails over: pauses long enough to ride it out — about two minutes in all — before
    /// a message goes to its <c>_error</c> queue. A message that fails for any other reason (an unknown referral) gets
    /// there after the quick retries, not two minutes later.
    /// </summary>
    public static void WhileDatabaseAway(IRetryConfigurator retry)
    {
        retry.Handle<Exception>(DatabaseFailures.IsUnavailable);
        retry.Intervals(1000, 2000, 5000, 10000, 20000, 30000, 60000);
    }
}
