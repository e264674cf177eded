using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Netzwerk.Platform.Identity.Oidc;

/// <summary>
/// Validates an id_token from the code exchange: signature with the provider's keys (RS256/ES256 JWS
/// only), issuer, audience = our client id, expiry and the nonce we sent.
/// </summary>
public static class IdTokenValidator
{
    public static readonly HashSet<string> AllowedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    public static ClaimsPrincipal Validate(string idToken, OpenIdConnectConfiguration config, string clientId, string expectedNonce, TimeProvider clock)
    {
        // Three parts = signed JWS; five would be an encrypted JWE, which we do not accept.
        if (idToken.Count(c => c == '.') != 2)
            throw new SecurityTokenException("id_token is not a signed JWT.");

        var handler = new JwtSecurityTokenHandler();
        handler.InboundClaimTypeMap.Clear();
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = config.Issuer,
            ValidAudience = clientId,
            IssuerSigningKeys = config.SigningKeys,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            CryptoProviderFactory = AuthenticationSetup.NonCachingCrypto,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromMinutes(1),
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                return expires is { } exp && exp.Add(p.ClockSkew) > now && (notBefore is not { } nbf || nbf.Subtract(p.ClockSkew) <= now);
            },
            NameClaimType = "name",
        };
        var principal = handler.ValidateToken(idToken, parameters, out var validated);
        var jwt = (JwtSecurityToken)validated;
        if (!AllowedAlgorithms.Contains(jwt.Header.Alg))
            throw new SecurityTokenInvalidSignatureException("id_token algorithm not allowed.");
        if (jwt.Audiences.Count() > 1 && jwt.Payload.Azp != clientId)
            throw new SecurityTokenInvalidAudienceException("id_token azp does not name this client.");
        var nonce = jwt.Payload.Nonce ?? "";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(expectedNonce)))
            throw new SecurityTokenException("id_token nonce does not match.");
        return principal;
    }
}
