using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Audit;

namespace Netzwerk.Platform.Identity;

/// <summary>
/// Demo mode only: list the demo users and hand out signed tokens or a cookie session for them.
/// The endpoints are not even mapped when demo mode is off.
/// </summary>
public static class DemoSignIn
{
    public sealed record DemoUserResponse(string User, string DisplayName, string Role, Guid? OrganizationId, string? Team);
    public sealed record TokenRequest(string? User);
    public sealed record TokenResponse(string access_token, string token_type, int expires_in);

    public static IEndpointRouteBuilder MapDemoSignIn(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<DemoSettings>().Enabled) return app;

        var demo = app.MapGroup("/api/demo").WithTags("Demo").AllowAnonymous();
        demo.MapGet("/users", () => DemoUsers.All.Select(u =>
            new DemoUserResponse(u.UserName, u.DisplayName, u.Role, u.OrganizationId, u.Team)));

        demo.MapPost("/token", async (TokenRequest request, DemoTokens tokens, AuditLog audit, HttpContext http) =>
        {
            var user = request.User is null ? null : DemoUsers.Find(request.User);
            if (user is null)
                return Problems.Problems.Validation(new Dictionary<string, string[]>
                    { ["user"] = ["Unbekannter Demo-Benutzer. Siehe GET /api/demo/users."] });
            await audit.RecordAsync(new AuditEvent("sign-in", "user", user.UserName, Detail: "demo-token"),
                user.UserName, user.Role, http.Connection.RemoteIpAddress?.ToString());
            return Results.Ok(new TokenResponse(tokens.Issue(user), "Bearer", (int)DemoTokens.Lifetime.TotalSeconds));
        }).RequireRateLimiting(RateLimitPolicies.SignIn);
        return app;
    }

    /// <summary>Signs a demo user into a cookie session (used by the sign-in page).</summary>
    public static async Task SignInAsync(HttpContext http, DemoUsers.DemoUser user)
    {
        var identity = new ClaimsIdentity(DemoTokens.Claims(user), AuthenticationSetup.CookieScheme,
            NetzwerkClaims.Name, NetzwerkClaims.Role);
        await http.SignInAsync(AuthenticationSetup.CookieScheme, new ClaimsPrincipal(identity));
        await http.RequestServices.GetRequiredService<AuditLog>().RecordAsync(
            new AuditEvent("sign-in", "user", user.UserName, Detail: "demo-cookie"),
            user.UserName, user.Role, http.Connection.RemoteIpAddress?.ToString());
    }
}
