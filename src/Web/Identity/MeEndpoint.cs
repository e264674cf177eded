using Netzwerk.Platform.Identity;

namespace Netzwerk.Web.Identity;

public static class MeEndpoint
{
    public sealed record MeResponse(string Id, string Name, string Role, Guid? OrganizationId, string? Team);

    /// <summary><c>GET /api/me</c>: who the caller is, as the app sees it (role, organisation).</summary>
    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", (HttpContext http) =>
        {
            var u = http.User.CurrentUser();
            return new MeResponse(u.Id, u.Name, u.Role, u.OrganizationId, u.Team);
        }).RequireAuthorization(Policies.SignedIn).WithTags("Identität");
        return app;
    }
}
