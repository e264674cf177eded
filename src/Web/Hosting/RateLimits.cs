using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Web.Hosting;

/// <summary>Configuration section <c>RateLimits</c>: requests per remote address and window.</summary>
public sealed class RateLimitSettings
{
    public int SignInPermitLimit { get; set; } = 20;
    public int AccessLinkPermitLimit { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Rate limits on sign-in, token and access-link endpoints against password and token guessing, partitioned
/// by remote address. Rejections are German 429 problems.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddNetzwerkRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("RateLimits").Get<RateLimitSettings>() ?? new RateLimitSettings();
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(RateLimitPolicies.SignIn, http => Partition(http, settings.SignInPermitLimit, settings.Window));
            o.AddPolicy(RateLimitPolicies.AccessLink, http => Partition(http, settings.AccessLinkPermitLimit, settings.Window));
            o.OnRejected = async (ctx, ct) =>
            {
                var http = ctx.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString();
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = 429,
                        Title = Problems.Titles[429],
                        Detail = "Zu viele Anmeldeversuche von dieser Adresse. Bitte warten Sie einen Moment.",
                    },
                });
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext http, int limit, TimeSpan window)
        => RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unbekannt",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0 });
}
