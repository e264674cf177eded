using System.Security.Claims;

namespace Netzwerk.Platform.Identity;

/// <summary>The signed-in user as the modules need it: who, which role, which partner organisation.</summary>
public sealed record CurrentUser(string Id, string Name, string Role, Guid? OrganizationId, string? Team)
{
    public bool IsInRole(params string[] roles) => roles.Contains(Role);

    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        var id = principal.FindFirstValue(NetzwerkClaims.Subject) ?? principal.FindFirstValue(ClaimTypes.NameIdentifier);
        var role = principal.FindFirstValue(NetzwerkClaims.Role) ?? principal.FindFirstValue(ClaimTypes.Role);
        if (id is null || role is null) return null;
        var org = principal.FindFirstValue(NetzwerkClaims.OrganizationId);
        return new CurrentUser(
            id,
            principal.FindFirstValue(NetzwerkClaims.Name) ?? id,
            role,
            Guid.TryParse(org, out var g) ? g : null,
            principal.FindFirstValue(NetzwerkClaims.Team));
    }
}

public static class CurrentUserExtensions
{
    /// <summary>The signed-in user; endpoints behind an authorisation policy can rely on it.</summary>
    public static CurrentUser CurrentUser(this ClaimsPrincipal principal)
        => Identity.CurrentUser.From(principal)
           ?? throw new UnauthorizedAccessException("Nicht angemeldet.");
}
