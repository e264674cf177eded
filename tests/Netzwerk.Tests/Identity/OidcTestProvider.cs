using System.Diagnostics;
using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Netzwerk.Tests.Identity;

/// <summary>
/// A real OpenID provider (npm package oidc-provider on Node.js, tests/oidc-provider) on a free localhost port.
/// The test creates the provider's RSA signing key, so it can also mint tokens "from the provider" with
/// chosen issuer, audience and expiry.
/// </summary>
public sealed class OidcTestProvider : IAsyncDisposable
{
    public const string ClientId = "netzwerk-web";
    public const string ClientSecret = "test-client-secret-7c1e4f";
    public const string ApiAudience = "netzwerk-api-oidc";
    public static readonly Guid PartnerOrganization = Netzwerk.Platform.Identity.DemoUsers.Organizations.DebtCounsellingKamenz;

    /// <summary>Test accounts: login name → (display name, provider roles, organisation, team).</summary>
    public static readonly Dictionary<string, object> Accounts = new()
    {
        ["anna.fm"] = new { name = "Anna Testfall", roles = new[] { "jc-fallmanagement", "jc-all-staff" }, team = "team-kamenz" },
        ["paul.partner"] = new { name = "Paul Partner", roles = new[] { "netzwerk-partner" }, org = PartnerOrganization.ToString() },
        ["nora.norole"] = new { name = "Nora Ohnerolle", roles = new[] { "jc-all-staff" } },
    };

    private static readonly SemaphoreSlim NpmLock = new(1, 1);
    private Process? _process;

    public int Port { get; } = TestProcesses.FreePort();
    public string Issuer => $"http://127.0.0.1:{Port}";
    public RsaSecurityKey Key { get; }

    public OidcTestProvider()
    {
        Key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = $"test-key-{Port}" };
    }

    /// <summary>Settings for the app under test: provider, client, claim mapping.</summary>
    public Dictionary<string, string?> AppSettings() => new()
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
            accounts = Accounts,
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

    /// <summary>A JWT signed with the provider's key (or <paramref name="signingKey"/>), with the given claims.</summary>
    public string Mint(string? issuer = null, string audience = ApiAudience, string subject = "anna.fm",
        string[]? roles = null, DateTime? expires = null, SecurityKey? signingKey = null, string algorithm = SecurityAlgorithms.RsaSha256,
        IDictionary<string, object>? extra = null)
    {
        var now = DateTime.UtcNow;
        var claims = new List<Claim> { new("sub", subject), new("name", "Anna Testfall"), new("jc_team", "team-kamenz") };
        foreach (var r in roles ?? ["jc-fallmanagement"]) claims.Add(new Claim("jc_roles", r));
        var exp = expires ?? now.AddMinutes(10);
        var token = new JwtSecurityToken(issuer ?? Issuer, audience, claims,
            notBefore: exp < now ? exp.AddMinutes(-10) : now.AddSeconds(-5), expires: exp,
            signingCredentials: new SigningCredentials(signingKey ?? Key, algorithm)
            {
                // Forged tokens reuse the provider's kid; a cached signer must not carry over between keys.
                CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
            });
        if (extra is not null) foreach (var (k, v) in extra) token.Payload[k] = v;
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    public ValueTask DisposeAsync()
    {
        TestProcesses.Stop(_process);
        return ValueTask.CompletedTask;
    }
}
