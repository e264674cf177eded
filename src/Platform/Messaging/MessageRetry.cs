using MassTransit;

namespace Netzwerk.Platform.Messaging;

public static class MessageRetry
{
    /// <summary>
    /// Quick retries for what passes at once (a deadlock, a concurrent change), then pauses long enough for PostgreSQL to
    /// restart or fail over — about two minutes in all — before a message goes to its <c>_error</c> queue. Consumers are
    /// idempotent, so a retry after a commit whose acknowledgement was lost changes nothing.
    /// </summary>
    public static void RideThroughRestarts(IRetryConfigurator retry) =>
        retry.Intervals(100, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000);
}
