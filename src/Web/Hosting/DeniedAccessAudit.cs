using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Web.Hosting;

/// <summary>
/// Every refused access leaves an audit entry: refusals by an authorisation policy (challenge/forbid, here) and
/// 401/403 answers of endpoints after their own object-level check (<see cref="UseDeniedAccessAudit"/>).
/// </summary>
public sealed class DeniedAccessAudit(AuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    private static readonly AuthorizationMiddlewareResultHandler Default = new();
    internal const string Recorded = "netzwerk.denied-recorded";

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Challenged || result.Forbidden)
            await RecordAsync(context, audit, result.Challenged ? 401 : 403);
        await Default.HandleAsync(next, context, policy, result);
    }

    internal static Task RecordAsync(HttpContext ctx, AuditLog audit, int status)
    {
        ctx.Items[Recorded] = true;
        var user = CurrentUser.From(ctx.User);
        // The route pattern, not the raw path: access-link tokens must never reach the audit trail.
        var pattern = (ctx.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText?.TrimEnd('/') is { Length: > 0 } p
            ? (p.StartsWith('/') ? p : "/" + p)
            : "(unbekannt)";
        var ids = string.Join(",", ctx.Request.RouteValues
            .Where(kv => kv.Key is not ("token" or "page" or "action" or "controller") && kv.Value is not null)
            .Select(kv => $"{kv.Key}={kv.Value}"));
        return audit.RecordAsync(
            new AuditEvent("access", "route", pattern, "denied", $"{ctx.Request.Method} {status}{(ids.Length > 0 ? " " + ids : "")}"),
            user?.Id ?? "anonym", user?.Role ?? "anonym", ctx.Connection.RemoteIpAddress?.ToString(), ctx.RequestAborted);
    }
}

public static class DeniedAccessAuditMiddleware
{
    /// <summary>Audits 401/403 answers that endpoints give themselves (object-level refusals).</summary>
    public static IApplicationBuilder UseDeniedAccessAudit(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        await next();
        if (ctx.Response.StatusCode is 401 or 403 && !ctx.Items.ContainsKey(DeniedAccessAudit.Recorded)
            && !ctx.Request.Path.StartsWithSegments("/zugriff-verweigert")
            && (ctx.Request.Path.StartsWithSegments("/api") || ctx.GetEndpoint() is not null))
            await DeniedAccessAudit.RecordAsync(ctx, ctx.RequestServices.GetRequiredService<AuditLog>(), ctx.Response.StatusCode);
    });
}
