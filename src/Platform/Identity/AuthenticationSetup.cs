using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Netzwerk.Platform.Identity.Oidc;
using Npgsql;

namespace Netzwerk.Platform.Identity;

public static class AuthenticationSetup
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string BearerScheme = JwtBearerDefaults.AuthenticationScheme;
    private const string SmartScheme = "Netzwerk";
    internal static readonly CryptoProviderFactory NonCachingCrypto = new() { CacheSignatureProviders = false };
    private static readonly HashSet<string> AllowedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>One key ring for all instances, kept across restarts (<see cref="KeyRingDb"/>).</summary>
    public static IDataProtectionBuilder AddNetzwerkDataProtection(this IServiceCollection services)
    {
        services.AddDbContext<KeyRingDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        return services.AddDataProtection().PersistKeysToDbContext<KeyRingDb>().SetApplicationName(KeyRingDb.ApplicationName);
    }

    /// <summary>
    /// Browser users get a cookie session, API clients send a bearer token; one policy scheme
    /// picks between them so every endpoint and page is protected the same way.
    /// </summary>
    public static IServiceCollection AddNetzwerkAuthentication(this IServiceCollection services)
    {
        services.AddNetzwerkDataProtection();
        JwtSecurityTokenHandler.DefaultMapInboundClaims = false;
        services.AddSingleton<TokenSigningKeys>();
        services.AddSingleton<DemoTokens>();
        services.AddSingleton<ValidatedTokens>();

        services.AddAuthentication(SmartScheme)
            .AddPolicyScheme(SmartScheme, SmartScheme, o => o.ForwardDefaultSelector = ctx =>
                ValidatedTokens.TokenOf(ctx.Request) is not null ? BearerScheme : CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "netzwerk.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/anmelden";
                o.LogoutPath = "/abmelden";
                o.AccessDeniedPath = "/zugriff-verweigert";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                // API callers get status codes, never a redirect to the sign-in page.
                o.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden);
            })
            .AddJwtBearer(BearerScheme, _ => { });

        // Options that need services (the signing key from the database, the provider's metadata) are set here.
        // Each issuer is bound to its own keys and audience: our demo key for "netzwerk", the provider's JWKS for its issuer.
        services.AddOptions<JwtBearerOptions>(BearerScheme).Configure<TokenSigningKeys, IServiceProvider>((o, keys, sp) =>
        {
            var validated = sp.GetRequiredService<ValidatedTokens>();
            var oidc = sp.GetService<OidcMetadata>();
            var mapper = oidc is null ? null : new OidcClaimsMapper(oidc.Settings);
            bool IsProvider(string? issuer) => oidc?.Settings.ApiAudience is not null && issuer is not null
                && issuer != TokenSigningKeys.Issuer && issuer == oidc.Current().Issuer;

            o.RequireHttpsMetadata = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                IssuerValidator = (issuer, _, _) => issuer == TokenSigningKeys.Issuer || IsProvider(issuer)
                    ? issuer
                    : throw new SecurityTokenInvalidIssuerException("Issuer not accepted."),
                AudienceValidator = (audiences, token, _) =>
                {
                    var issuer = (token as JwtSecurityToken)?.Issuer;
                    var expected = issuer == TokenSigningKeys.Issuer ? TokenSigningKeys.Audience : oidc?.Settings.ApiAudience;
                    return expected is not null && audiences.Contains(expected);
                },
                ValidateIssuerSigningKey = true,
                IssuerSigningKeyResolver = (_, token, kid, _) =>
                {
                    var issuer = (token as JwtSecurityToken)?.Issuer;
                    if (issuer == TokenSigningKeys.Issuer) return [keys.Key];
                    if (!IsProvider(issuer)) return [];
                    var providerKeys = oidc!.Current().SigningKeys;
                    if (kid is not null && providerKeys.All(k => k.KeyId != kid)) oidc.RequestRefresh();
                    return providerKeys;
                },
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                // IdentityModel 5.x caches signature providers by key id: two keys under one kid (a provider's
                // rollover, or several issuers) could be checked against the wrong key. Never cache.
                CryptoProviderFactory = NonCachingCrypto,
                NameClaimType = NetzwerkClaims.Name,
                RoleClaimType = NetzwerkClaims.Role,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            // IdentityModel 5.x has no ValidAlgorithms: accept only signed JWS with RS256/ES256,
            // never symmetric or encrypted (JWE) tokens.
            o.Events = new JwtBearerEvents
            {
                // The same token validated less than a minute ago: its principal again, without the signature check.
                OnMessageReceived = ctx =>
                {
                    if (ValidatedTokens.TokenOf(ctx.Request) is not { Length: > 0 } token) return Task.CompletedTask;
                    if (validated.Find(token) is { } principal)
                    {
                        ctx.Principal = principal;
                        ctx.Success();
                    }
                    else ctx.Token = token; // read once: the handler validates exactly this text
                    return Task.CompletedTask;
                },
                OnTokenValidated = ctx =>
                {
                    if (ctx.SecurityToken is not JwtSecurityToken jwt
                        || jwt.InnerToken is not null
                        || !AllowedAlgorithms.Contains(jwt.Header.Alg))
                    {
                        ctx.Fail("Token algorithm not allowed.");
                        return Task.CompletedTask;
                    }
                    // The provider's claims are mapped onto ours; its raw claims never reach authorisation.
                    if (jwt.Issuer != TokenSigningKeys.Issuer)
                    {
                        var mapped = mapper!.Map(jwt.Claims, BearerScheme);
                        if (mapped.Identity is null)
                        {
                            ctx.Fail("No role mapped.");
                            return Task.CompletedTask;
                        }
                        ctx.Principal = new ClaimsPrincipal(mapped.Identity);
                    }
                    // Remembered under the text that was validated, not the header read again.
                    if (ctx.Principal is not null) validated.Add(jwt.RawData, ctx.Principal, jwt.ValidTo);
                    return Task.CompletedTask;
                },
            };
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SignedIn, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.CaseWork, p => p.RequireClaim(NetzwerkClaims.Role, Roles.CaseManager, Roles.TeamLead))
            .AddPolicy(Policies.Partner, p => p.RequireClaim(NetzwerkClaims.Role, Roles.Partner).RequireClaim(NetzwerkClaims.OrganizationId))
            .AddPolicy(Policies.Coordination, p => p.RequireClaim(NetzwerkClaims.Role, Roles.NetworkCoordinator, Roles.Administrator))
            .AddPolicy(Policies.DataProtection, p => p.RequireClaim(NetzwerkClaims.Role, Roles.DataProtection))
            .AddPolicy(Policies.Staff, p => p.RequireClaim(NetzwerkClaims.Role,
                Roles.CaseManager, Roles.TeamLead, Roles.NetworkCoordinator, Roles.DataProtection, Roles.Administrator));
        return services;
    }

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/hsds"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
