using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Netzwerk.Platform.Identity;

public static class MeEndpoint
{
    /// <summary><see cref="ReferralScope"/> is set for sessions opened through a partner access link.</summary>
    public sealed record MeResponse(string Id, string Name, string Role, Guid? OrganizationId, string? Team, Guid? ReferralScope);

    /// <summary><c>GET /api/me</c>: who the caller is, as the app sees it (role, organisation).</summary>
    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", (HttpContext http) =>
        {
            var u = http.User.CurrentUser();
            var scope = Guid.TryParse(http.User.FindFirst(NetzwerkClaims.ReferralScope)?.Value, out var r) ? r : (Guid?)null;
            return new MeResponse(u.Id, u.Name, u.Role, u.OrganizationId, u.Team, scope);
        }).RequireAuthorization(Policies.SignedIn).WithTags("Identität");
        return app;
    }
}
