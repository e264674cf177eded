using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace Netzwerk.Platform.Identity;

/// <summary>Issues RS256-signed access tokens for demo users. Only reachable when demo mode is on.</summary>
public sealed class DemoTokens(TokenSigningKeys keys, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    public string Issue(DemoUsers.DemoUser user)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = new JwtSecurityToken(
            issuer: TokenSigningKeys.Issuer,
            audience: TokenSigningKeys.Audience,
            claims: Claims(user),
            notBefore: now.AddSeconds(-5),
            expires: now.Add(Lifetime),
            signingCredentials: new SigningCredentials(keys.Key, SecurityAlgorithms.RsaSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    public static IEnumerable<Claim> Claims(DemoUsers.DemoUser user)
    {
        yield return new Claim(NetzwerkClaims.Subject, user.UserName);
        yield return new Claim(NetzwerkClaims.Name, user.DisplayName);
        yield return new Claim(NetzwerkClaims.Role, user.Role);
        if (user.OrganizationId is { } org) yield return new Claim(NetzwerkClaims.OrganizationId, org.ToString());
        if (user.Team is { } team) yield return new Claim(NetzwerkClaims.Team, team);
    }
}
