using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Netzwerk.Tests.Identity;

/// <summary>
/// A real OpenID provider (npm package oidc-provider on Node.js, tests/oidc-provider) on a free localhost port, either as
/// a generic provider (own claim names, mapped by configuration) or issuing tokens the way Entra ID does (issuer
/// <c>…/{tenant}/v2.0</c>, <c>tid</c>, <c>oid</c>, <c>roles</c>, <c>groups</c>) for the app's Microsoft.Identity.Web path.
/// The test creates the provider's RSA signing key, so it can also mint tokens "from the provider" with chosen
/// issuer, audience and lifetime.
/// </summary>
public sealed class OidcTestProvider(bool entraId = false) : IAsyncDisposable
{
    public const string ClientId = "netzwerk-web";
    public const string ClientSecret = "test-client-secret-7c1e4f";
    public const string ApiAudience = "netzwerk-api-oidc";
    public static readonly Guid PartnerOrganization = Netzwerk.Platform.Identity.DemoUsers.Organizations.DebtCounsellingKamenz;
    public static readonly Guid TenantId = Guid.Parse("5f0c1e2a-6b1d-4c3e-9a7f-2d8e4b6c1a90");
    public static readonly Guid OtherTenantId = Guid.Parse("0b7e9c4d-2a1f-4e8b-8c3d-6f5a1b2c3d4e");
    public const string TeamLeadGroup = "a1b2c3d4-0000-4000-8000-00000000beef";
    public static readonly Guid AnnaOid = Guid.Parse("11111111-2222-4333-8444-555555555555");

    public bool EntraId { get; } = entraId;
    public string EntraAudience => $"api://{ClientId}";

    /// <summary>Generic test accounts: login name → claims (display name, provider roles, organisation, team).</summary>
    private static readonly Dictionary<string, object> GenericAccounts = new()
    {
        ["anna.fm"] = new { name = "Anna Testfall", preferred_username = "anna.fm", jc_roles = new[] { "jc-fallmanagement", "jc-all-staff" }, jc_team = "team-kamenz" },
        ["paul.partner"] = new { name = "Paul Partner", preferred_username = "paul.partner", jc_roles = new[] { "netzwerk-partner" }, jc_org = PartnerOrganization.ToString() },
        ["nora.norole"] = new { name = "Nora Ohnerolle", preferred_username = "nora.norole", jc_roles = new[] { "jc-all-staff" } },
    };

    /// <summary>Entra ID style accounts: app roles in <c>roles</c>, group object ids in <c>groups</c>.</summary>
    private static readonly Dictionary<string, object> EntraAccounts = new()
    {
        ["anna.fm"] = new { name = "Anna Testfall", preferred_username = "anna.fm@kamenz.example", tid = TenantId.ToString(), oid = AnnaOid.ToString(), roles = new[] { "Netzwerk.Fallmanagement" } },
        ["tom.tl"] = new { name = "Tom Teamleitung", preferred_username = "tom.tl@kamenz.example", tid = TenantId.ToString(), oid = Guid.NewGuid().ToString(), roles = Array.Empty<string>(), groups = new[] { TeamLeadGroup } },
        ["nora.norole"] = new { name = "Nora Ohnerolle", preferred_username = "nora@kamenz.example", tid = TenantId.ToString(), oid = Guid.NewGuid().ToString(), roles = Array.Empty<string>() },
    };

    private static readonly SemaphoreSlim NpmLock = new(1, 1);
    private Process? _process;

    public int Port { get; } = TestProcesses.FreePort();
    public string Origin => $"http://127.0.0.1:{Port}";
    public string Issuer => EntraId ? $"{Origin}/{TenantId}/v2.0" : Origin;
    public RsaSecurityKey Key { get; } = new(RSA.Create(2048)) { KeyId = $"test-key-{Guid.NewGuid():N}" };

    /// <summary>Settings for the app under test: provider, client, claim mapping.</summary>
    public Dictionary<string, string?> AppSettings() => EntraId
        ? new()
        {
            ["Identity:Provider"] = "EntraId",
            ["EntraId:Instance"] = Origin + "/",
            ["EntraId:TenantId"] = TenantId.ToString(),
            ["EntraId:ClientId"] = ClientId,
            ["EntraId:ClientSecret"] = ClientSecret,
            // Not needed with a real tenant: the test provider serves its metadata at the root, not under /{tenant}/v2.0.
            ["EntraId:MetadataAddress"] = Origin + "/.well-known/openid-configuration",
            ["EntraId:RequireHttpsMetadata"] = "false",
            ["Oidc:RoleMap:Netzwerk.Fallmanagement"] = "Fallmanager",
            ["Oidc:GroupMap:" + TeamLeadGroup] = "Teamleitung",
        }
        : new()
        {
            ["Oidc:Authority"] = Issuer,
            ["Oidc:ClientId"] = ClientId,
            ["Oidc:ClientSecret"] = ClientSecret,
            ["Oidc:RequireHttpsMetadata"] = "false",
            ["Oidc:Scope"] = "openid profile netzwerk",
            ["Oidc:ApiAudience"] = ApiAudience,
            ["Oidc:RoleClaim"] = "jc_roles",
            ["Oidc:RoleMap:jc-fallmanagement"] = "Fallmanager",
            ["Oidc:RoleMap:netzwerk-partner"] = "Partner",
            ["Oidc:OrganizationClaim"] = "jc_org",
            ["Oidc:TeamClaim"] = "jc_team",
        };

    public async Task StartAsync(string redirectUri, string postLogoutRedirectUri)
    {
        var dir = Path.Combine(TestProcesses.RepositoryRoot(), "tests", "oidc-provider");
        await EnsureNodeModulesAsync(dir);
        var p = Key.Rsa.ExportParameters(true);
        string B(byte[]? b) => Base64UrlEncoder.Encode(b!);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["kid"] = Key.KeyId, ["use"] = "sig", ["alg"] = "RS256",
            ["n"] = B(p.Modulus), ["e"] = B(p.Exponent), ["d"] = B(p.D), ["p"] = B(p.P), ["q"] = B(p.Q),
            ["dp"] = B(p.DP), ["dq"] = B(p.DQ), ["qi"] = B(p.InverseQ),
        };
        var config = JsonSerializer.Serialize(new
        {
            port = Port,
            issuer = Issuer,
            jwks = new { keys = new[] { jwk } },
            clients = new[]
            {
                new { client_id = ClientId, client_secret = ClientSecret, redirect_uris = new[] { redirectUri },
                      post_logout_redirect_uris = new[] { postLogoutRedirectUri } },
            },
            accounts = EntraId ? EntraAccounts : GenericAccounts,
            scopes = EntraId ? new[] { "openid", "profile" } : ["openid", "profile", "netzwerk"],
            claims = EntraId
                ? new Dictionary<string, string[]> { ["openid"] = ["sub"], ["profile"] = ["name", "preferred_username", "tid", "oid", "roles", "groups"] }
                : new Dictionary<string, string[]> { ["openid"] = ["sub"], ["profile"] = ["name", "preferred_username"], ["netzwerk"] = ["jc_roles", "jc_org", "jc_team"] },
        });
        var psi = new ProcessStartInfo("node", "server.mjs") { WorkingDirectory = dir };
        psi.Environment["OIDC_TEST_CONFIG"] = config;
        _process = await TestProcesses.StartAsync(psi, "oidc-provider listening", TimeSpan.FromSeconds(60));
    }

    /// <summary>node_modules is never committed: install from package-lock.json on first use.</summary>
    private static async Task EnsureNodeModulesAsync(string dir)
    {
        await NpmLock.WaitAsync();
        try
        {
            if (System.IO.Directory.Exists(Path.Combine(dir, "node_modules", "oidc-provider"))) return;
            var psi = new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            using var npm = Process.Start(psi)!;
            var stderr = npm.StandardError.ReadToEndAsync();
            await npm.StandardOutput.ReadToEndAsync();
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0) throw new InvalidOperationException("npm ci in tests/oidc-provider failed: " + await stderr);
        }
        finally { NpmLock.Release(); }
    }

    /// <summary>
    /// An access token signed with the provider's key (or <paramref name="signingKey"/>) for the app's API: audience
    /// and claims as this provider flavour issues them, lifetime from <paramref name="notBefore"/> to <paramref name="expires"/>.
    /// </summary>
    public string Mint(string? issuer = null, string? audience = null, string[]? roles = null, DateTime? notBefore = null,
        DateTime? expires = null, SecurityKey? signingKey = null, string algorithm = SecurityAlgorithms.RsaSha256,
        IDictionary<string, object>? extra = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["name"] = "Anna Testfall" };
        if (EntraId)
        {
            claims["sub"] = "pairwise-sub-anna";
            claims["oid"] = AnnaOid.ToString();
            claims["tid"] = TenantId.ToString();
            claims["roles"] = roles ?? ["Netzwerk.Fallmanagement"];
        }
        else
        {
            claims["sub"] = "anna.fm";
            claims["jc_team"] = "team-kamenz";
            claims["jc_roles"] = roles ?? ["jc-fallmanagement"];
        }
        foreach (var (k, v) in extra ?? new Dictionary<string, object>()) claims[k] = v;
        var exp = expires ?? now.AddMinutes(10);
        var nbf = notBefore ?? (exp < now ? exp.AddMinutes(-10) : now.AddSeconds(-5));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience ?? (EntraId ? EntraAudience : ApiAudience),
            Claims = claims,
            NotBefore = nbf,
            IssuedAt = nbf,
            Expires = exp,
            SigningCredentials = new SigningCredentials(signingKey ?? Key, algorithm),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with the claims of a valid one.</summary>
    public string MintUnsigned()
    {
        var signed = Mint();
        var payload = signed.Split('.')[1];
        return Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + payload + ".";
    }

    /// <summary>HS256 with the provider's public key (its JWK modulus) as the HMAC secret: the algorithm-confusion attack.</summary>
    public string MintWithPublicKeyAsHmacSecret()
    {
        var publicKey = Key.Rsa.ExportSubjectPublicKeyInfo();
        return Mint(signingKey: new SymmetricSecurityKey(publicKey) { KeyId = Key.KeyId }, algorithm: SecurityAlgorithms.HmacSha256);
    }

    public ValueTask DisposeAsync()
    {
        TestProcesses.Stop(_process);
        return ValueTask.CompletedTask;
    }
}
