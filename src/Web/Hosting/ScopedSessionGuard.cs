using Netzwerk.Platform.Identity;

namespace Netzwerk.Web.Hosting;

/// <summary>
/// A session opened through a partner access link is single-purpose: it may only reach URLs about its one
/// referral (plus sign-out, /api/me and static files). Everything else answers 403, whatever the role allows.
/// </summary>
public static class ScopedSessionGuard
{
    private static readonly string[] AlwaysAllowed = ["/api/me", "/abmelden", "/css", "/js", "/favicon.ico", "/zugang", "/zugriff-verweigert"];

    public static IApplicationBuilder UseScopedSessionGuard(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        var scope = ctx.User.FindFirst(NetzwerkClaims.ReferralScope)?.Value;
        if (scope is null || IsAllowed(ctx.Request.Path, scope))
        {
            await next();
            return;
        }
        ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
        if (ctx.Request.Path.StartsWithSegments("/api"))
            await Results.Problem(statusCode: 403, title: Netzwerk.Platform.Problems.Problems.Titles[403],
                detail: "Dieser Zugangslink gilt nur für die eine Verweisung.").ExecuteAsync(ctx);
        else
            ctx.Response.Redirect("/zugriff-verweigert");
    });

    public static bool IsAllowed(PathString path, string referralId)
    {
        if (AlwaysAllowed.Any(p => path.StartsWithSegments(p))) return true;
        // Only URLs that name this referral as one of their segments, under the partner UI or the API.
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return (path.StartsWithSegments("/partner") || path.StartsWithSegments("/api"))
               && segments.Contains(referralId, StringComparer.OrdinalIgnoreCase);
    }
}
