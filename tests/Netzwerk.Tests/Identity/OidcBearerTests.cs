using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Netzwerk.Platform.Identity;
using Netzwerk.Tests.Infrastructure;
using Npgsql;

namespace Netzwerk.Tests.Identity;

/// <summary>
/// Bearer tokens from the organisation's provider: accepted when signed with its published key (RS256) for our API
/// audience; forged, unsigned, symmetric, expired, not-yet-valid, wrong-issuer and wrong-audience tokens get 401 and an
/// audit entry. Discovery and JWKS are real. Runs for both provider flavours.
/// </summary>
public abstract class ProviderBearerTests(OidcApp app)
{
    protected async Task<HttpResponseMessage> MeWith(string token)
    {
        using var http = app.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.GetAsync("/api/me");
    }

    private async Task<long> DeniedAuditsAsync()
    {
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM platform.audit_entries WHERE action = 'access' AND outcome = 'denied' AND object_id = '/api/me'", db);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task RefusedAsync(string token)
    {
        var before = await DeniedAuditsAsync();
        (await MeWith(token)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await DeniedAuditsAsync()).ShouldBeGreaterThan(before);
    }

    [Fact]
    public async Task Provider_access_token_is_accepted_with_mapped_role_and_again_and_an_altered_copy_is_not()
    {
        var token = app.Provider.Mint();
        for (var i = 0; i < 2; i++)
        {
            var response = await MeWith(token);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var me = await response.Content.ReadFromJsonAsync<JsonElement>();
            me.GetProperty("role").GetString().ShouldBe("Fallmanager");
        }
        var at = token.Length - 20; // inside the signature, away from its padding bits
        await RefusedAsync(token[..at] + (token[at] == 'A' ? 'B' : 'A') + token[(at + 1)..]);
    }

    [Fact]
    public Task Wrong_audience_gets_401() => RefusedAsync(app.Provider.Mint(audience: "ein-anderes-api"));

    [Fact]
    public Task Id_token_audience_is_not_an_access_token_audience() => RefusedAsync(app.Provider.Mint(audience: OidcTestProvider.ClientId));

    [Fact]
    public Task Wrong_issuer_gets_401() => RefusedAsync(app.Provider.Mint(issuer: "http://127.0.0.1:1/fremd"));

    [Fact]
    public Task Expired_token_gets_401() => RefusedAsync(app.Provider.Mint(expires: DateTime.UtcNow.AddMinutes(-5)));

    [Fact]
    public Task Not_yet_valid_token_gets_401()
        => RefusedAsync(app.Provider.Mint(notBefore: DateTime.UtcNow.AddMinutes(10), expires: DateTime.UtcNow.AddMinutes(30)));

    [Fact]
    public Task Unsigned_token_alg_none_gets_401() => RefusedAsync(app.Provider.MintUnsigned());

    [Fact]
    public Task Hs256_signed_with_the_providers_public_key_gets_401() => RefusedAsync(app.Provider.MintWithPublicKeyAsHmacSecret());

    [Fact]
    public Task Symmetric_token_with_a_random_secret_gets_401()
        => RefusedAsync(app.Provider.Mint(signingKey: new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = app.Provider.Key.KeyId },
            algorithm: SecurityAlgorithms.HmacSha256));

    [Fact]
    public Task Token_signed_with_another_key_under_the_providers_key_id_gets_401()
        => RefusedAsync(app.Provider.Mint(signingKey: new RsaSecurityKey(RSA.Create(2048)) { KeyId = app.Provider.Key.KeyId }));

    [Fact]
    public Task Rs384_signed_with_the_providers_key_gets_401()
        => RefusedAsync(app.Provider.Mint(algorithm: SecurityAlgorithms.RsaSha384)); // RS256 and ES256 only

    [Fact]
    public Task Provider_token_without_a_mapped_role_gets_401_and_a_raw_role_claim_is_ignored()
        => RefusedAsync(app.Provider.Mint(roles: ["jc-all-staff"], extra: new Dictionary<string, object> { ["role"] = "Administration" }));

    [Fact]
    public async Task Demo_key_cannot_sign_for_the_provider_issuer()
    {
        var demoKey = app.Services.GetRequiredService<TokenSigningKeys>().Key;
        await RefusedAsync(app.Provider.Mint(signingKey: demoKey));
    }

    [Fact]
    public async Task Demo_issuer_tokens_with_wrong_audience_or_expired_get_401_and_the_provider_key_cannot_sign_them()
    {
        var demoKey = app.Services.GetRequiredService<TokenSigningKeys>().Key;
        string Demo(string audience, DateTime expires, SecurityKey? key = null) => app.Provider.Mint(issuer: TokenSigningKeys.Issuer,
            audience: audience, expires: expires, signingKey: key ?? demoKey, extra: new Dictionary<string, object> { ["role"] = "Fallmanager" });
        (await MeWith(Demo(TokenSigningKeys.Audience, DateTime.UtcNow.AddMinutes(5)))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await RefusedAsync(Demo("fremdes-api", DateTime.UtcNow.AddMinutes(5)));
        await RefusedAsync(Demo(OidcTestProvider.ApiAudience, DateTime.UtcNow.AddMinutes(5)));
        await RefusedAsync(Demo(TokenSigningKeys.Audience, DateTime.UtcNow.AddMinutes(-5)));
        await RefusedAsync(Demo(TokenSigningKeys.Audience, DateTime.UtcNow.AddMinutes(5), app.Provider.Key));
    }
}

public sealed class OidcBearerTests(OidcApp app) : ProviderBearerTests(app), IClassFixture<OidcApp>;

public sealed class EntraIdBearerTests(EntraIdApp app) : ProviderBearerTests(app), IClassFixture<EntraIdApp>
{
    [Fact]
    public async Task Token_of_another_tenant_gets_401()
    {
        var otherIssuer = $"{app.Provider.Origin}/{OidcTestProvider.OtherTenantId}/v2.0";
        (await MeWith(app.Provider.Mint(issuer: otherIssuer, extra: new Dictionary<string, object> { ["tid"] = OidcTestProvider.OtherTenantId.ToString() })))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task App_only_token_without_roles_gets_401_not_an_exception()
        => (await MeWith(app.Provider.Mint(roles: []))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
}

/// <summary>Outside demo mode no token of our own issuer is accepted, however well it is signed.</summary>
public sealed class DemoTokensOutsideDemoModeTests(DemoTokensOutsideDemoModeTests.App app) : IClassFixture<DemoTokensOutsideDemoModeTests.App>
{
    public sealed class App : NetzwerkApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Demo:Enabled"] = "false" };
    }

    [Fact]
    public async Task Demo_token_gets_401_and_the_token_endpoint_does_not_exist()
    {
        var key = app.Services.GetRequiredService<TokenSigningKeys>().Key;
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TokenSigningKeys.Issuer,
            Audience = TokenSigningKeys.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "fm.mueller", ["name"] = "Test", ["role"] = "Fallmanager" },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        var http = app.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await http.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await app.Anonymous().PostAsJsonAsync("/api/demo/token", new { user = "fm.mueller" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
