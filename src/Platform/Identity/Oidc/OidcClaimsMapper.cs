using System.Security.Claims;

namespace Netzwerk.Platform.Identity.Oidc;

/// <summary>
/// Turns a provider's claims into ours (sub, name, role, org, team) using the mapping in configuration:
/// the role from the role claim (mapped or already ours), else from a mapped group id.
/// Nothing else from the provider's token reaches the session.
/// </summary>
public sealed class OidcClaimsMapper(OidcSettings settings)
{
    public sealed record Result(ClaimsIdentity? Identity, string? Error);

    public Result Map(IEnumerable<Claim> providerClaims, string authenticationType)
    {
        var claims = providerClaims.ToList();
        string? First(string type) => claims.FirstOrDefault(c => c.Type == type)?.Value;

        var subject = First(settings.Subject);
        if (string.IsNullOrWhiteSpace(subject)) return new(null, "Das Konto hat keine Kennung (sub).");

        var role = claims.Where(c => c.Type == settings.RoleClaim)
            .Select(c => MapRole(c.Value))
            .FirstOrDefault(r => r is not null)
            ?? claims.Where(c => c.Type == settings.GroupClaim)
                .Select(c => settings.GroupMap.TryGetValue(c.Value, out var m) && Roles.All.Contains(m) ? m : null)
                .FirstOrDefault(r => r is not null);
        if (role is null) return new(null, "Ihrem Konto ist keine Rolle in Netzwerk zugeordnet.");

        Guid? organization = null;
        var orgValue = First(settings.OrganizationClaim);
        if (!string.IsNullOrWhiteSpace(orgValue))
        {
            var mapped = settings.OrganizationMap.TryGetValue(orgValue, out var m) ? m : orgValue;
            if (Guid.TryParse(mapped, out var g)) organization = g;
        }
        if (role == Roles.Partner && organization is null)
            return new(null, "Ihrem Partnerkonto ist keine Organisation zugeordnet.");

        var result = new List<Claim>
        {
            new(NetzwerkClaims.Subject, subject),
            new(NetzwerkClaims.Name, First(settings.NameClaim) ?? First("preferred_username") ?? subject),
            new(NetzwerkClaims.Role, role),
        };
        // Only partners are bound to an organisation; a staff account never carries one.
        if (role == Roles.Partner) result.Add(new(NetzwerkClaims.OrganizationId, organization!.Value.ToString()));
        var team = First(settings.TeamClaim);
        if (!string.IsNullOrWhiteSpace(team) && role is Roles.CaseManager or Roles.TeamLead)
            result.Add(new(NetzwerkClaims.Team, team));
        return new(new ClaimsIdentity(result, authenticationType, NetzwerkClaims.Name, NetzwerkClaims.Role), null);
    }

    private string? MapRole(string value)
    {
        if (settings.RoleMap.TryGetValue(value, out var mapped) && Roles.All.Contains(mapped)) return mapped;
        return Roles.All.FirstOrDefault(r => string.Equals(r, value, StringComparison.Ordinal));
    }
}
