using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Netzwerk.Platform.Identity.Oidc;

namespace Netzwerk.Tests.Identity;

/// <summary>
/// Bearer tokens from the organisation's provider: accepted when signed with its published key for our API
/// audience; forged, expired, wrong-issuer and wrong-audience tokens get 401. Discovery and JWKS are real.
/// </summary>
public sealed class OidcBearerTests(OidcApp app) : IClassFixture<OidcApp>
{
    private async Task<HttpResponseMessage> MeWith(string token)
    {
        using var http = app.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.GetAsync("/api/me");
    }

    [Fact]
    public async Task Provider_access_token_is_accepted_with_mapped_role()
    {
        var response = await MeWith(app.Provider.Mint());
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        me.GetProperty("id").GetString().ShouldBe("anna.fm");
        me.GetProperty("role").GetString().ShouldBe("Fallmanager");
    }

    [Fact]
    public async Task A_token_accepted_before_does_not_vouch_for_an_altered_copy_and_a_refused_one_stays_refused()
    {
        // Validated tokens are remembered for a minute by their exact text: the accepted one is accepted again, a copy with
        // one character of its signature changed is checked in full and refused, and a refusal is never remembered.
        var remembered = app.Services.GetRequiredService<Netzwerk.Platform.Identity.ValidatedTokens>();
        var token = app.Provider.Mint();
        (await MeWith(token)).StatusCode.ShouldBe(HttpStatusCode.OK);
        remembered.Find(token).ShouldNotBeNull(); // kept under the very text the client sent
        (await MeWith(token)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var i = token.Length - 20; // inside the signature, away from its padding bits
        var altered = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
        (await MeWith(altered)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await MeWith(altered)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        remembered.Find(altered).ShouldBeNull();

        var unmapped = app.Provider.Mint(roles: ["jc-all-staff"]);
        (await MeWith(unmapped)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await MeWith(unmapped)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        remembered.Find(unmapped).ShouldBeNull();
    }

    [Fact]
    public async Task Wrong_audience_gets_401()
        => (await MeWith(app.Provider.Mint(audience: "ein-anderes-api"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

    [Fact]
    public async Task Id_token_audience_is_not_an_access_token_audience()
        => (await MeWith(app.Provider.Mint(audience: OidcTestProvider.ClientId))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

    [Fact]
    public async Task Wrong_issuer_gets_401()
        => (await MeWith(app.Provider.Mint(issuer: "http://127.0.0.1:1/fremd"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

    [Fact]
    public async Task Expired_token_gets_401()
        => (await MeWith(app.Provider.Mint(expires: DateTime.UtcNow.AddMinutes(-5)))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

    [Fact]
    public async Task Token_signed_with_another_key_under_the_providers_key_id_gets_401()
    {
        var forger = new RsaSecurityKey(RSA.Create(2048)) { KeyId = app.Provider.Key.KeyId };
        (await MeWith(app.Provider.Mint(signingKey: forger))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Symmetric_token_gets_401()
    {
        var hmac = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = app.Provider.Key.KeyId };
        (await MeWith(app.Provider.Mint(signingKey: hmac, algorithm: SecurityAlgorithms.HmacSha256))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Provider_token_without_a_mapped_role_gets_401_and_a_raw_role_claim_is_ignored()
    {
        var token = app.Provider.Mint(roles: ["jc-all-staff"], extra: new Dictionary<string, object> { ["role"] = "Administration" });
        (await MeWith(token)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Demo_key_cannot_sign_for_the_provider_issuer()
    {
        var demoKey = app.Services.GetRequiredService<Netzwerk.Platform.Identity.TokenSigningKeys>().Key;
        (await MeWith(app.Provider.Mint(signingKey: demoKey))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Demo_issuer_tokens_with_wrong_audience_or_expired_get_401()
    {
        var demoKey = app.Services.GetRequiredService<Netzwerk.Platform.Identity.TokenSigningKeys>().Key;
        string Demo(string audience, DateTime expires) => app.Provider.Mint(issuer: Netzwerk.Platform.Identity.TokenSigningKeys.Issuer,
            audience: audience, expires: expires, signingKey: demoKey,
            extra: new Dictionary<string, object> { ["role"] = "Fallmanager" });
        (await MeWith(Demo(Netzwerk.Platform.Identity.TokenSigningKeys.Audience, DateTime.UtcNow.AddMinutes(5)))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await MeWith(Demo("fremdes-api", DateTime.UtcNow.AddMinutes(5)))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await MeWith(Demo(OidcTestProvider.ApiAudience, DateTime.UtcNow.AddMinutes(5)))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await MeWith(Demo(Netzwerk.Platform.Identity.TokenSigningKeys.Audience, DateTime.UtcNow.AddMinutes(-5)))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Id_token_validation_refuses_wrong_audience_nonce_issuer_and_expiry()
    {
        var config = await app.Services.GetRequiredService<OidcMetadata>().GetAsync();
        config.Issuer.ShouldBe(app.Provider.Issuer);
        string IdToken(string? issuer = null, string audience = OidcTestProvider.ClientId, DateTime? expires = null, string nonceValue = "n-123")
            => app.Provider.Mint(issuer: issuer, audience: audience, expires: expires, extra: new Dictionary<string, object> { ["nonce"] = nonceValue });
        void Validate(string token) => IdTokenValidator.Validate(token, config, OidcTestProvider.ClientId, "n-123", TimeProvider.System);

        Should.NotThrow(() => Validate(IdToken()));
        Should.Throw<SecurityTokenException>(() => Validate(IdToken(audience: "anderer-client")));
        Should.Throw<SecurityTokenException>(() => Validate(IdToken(nonceValue: "fremde-nonce")));
        Should.Throw<SecurityTokenException>(() => Validate(IdToken(issuer: "http://127.0.0.1:1")));
        Should.Throw<SecurityTokenException>(() => Validate(IdToken(expires: DateTime.UtcNow.AddMinutes(-10))));
    }
}
