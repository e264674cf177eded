using System.Diagnostics;
using Serilog.Context;

namespace Netzwerk.Web.Hosting;

public static class RequestLogging
{
    /// <summary>
    /// One log line per request with its id, method, route pattern, status and duration. The route
    /// pattern (e.g. /api/referrals/{id}) is logged instead of the path, and query strings never, so
    /// search terms and case references stay out of the logs.
    /// </summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Netzwerk.Requests");
        return app.Use(async (ctx, next) => await LogAsync(logger, ctx, next));
    }

    private static async Task LogAsync(ILogger logger, HttpContext ctx, Func<Task> next)
    {
        ctx.Response.Headers["X-Request-Id"] = ctx.TraceIdentifier;
        using (LogContext.PushProperty("RequestId", ctx.TraceIdentifier))
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next();
            }
            finally
            {
                var route = (ctx.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
                if (!route.StartsWith("/health", StringComparison.Ordinal))
                    logger.LogInformation("{Method} {Route} → {Status} in {ElapsedMs:0.0} ms [{RequestId}]",
                        ctx.Request.Method, route, ctx.Response.StatusCode,
                        Stopwatch.GetElapsedTime(started).TotalMilliseconds, ctx.TraceIdentifier);
            }
        }
    }
}
