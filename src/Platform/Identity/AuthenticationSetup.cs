using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Netzwerk.Platform.Identity.Oidc;
using Npgsql;

namespace Netzwerk.Platform.Identity;

public static class AuthenticationSetup
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string BearerScheme = JwtBearerDefaults.AuthenticationScheme;
    public const string DemoBearerScheme = "DemoBearer";
    private const string SmartScheme = "Netzwerk";

    /// <summary>One key ring for all instances, kept across restarts (<see cref="KeyRingDb"/>).</summary>
    public static IDataProtectionBuilder AddNetzwerkDataProtection(this IServiceCollection services)
    {
        services.AddDbContext<KeyRingDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        return services.AddDataProtection().PersistKeysToDbContext<KeyRingDb>().SetApplicationName(KeyRingDb.ApplicationName);
    }

    /// <summary>
    /// Browser users get a cookie session, API clients send a bearer token; one policy scheme
    /// picks between them so every endpoint and page is protected the same way. Bearer tokens come from the
    /// organisation's provider (<see cref="ProviderAuthentication"/>) or, in demo mode only, from <see cref="DemoTokens"/>.
    /// </summary>
    public static IServiceCollection AddNetzwerkAuthentication(this IServiceCollection services, IConfiguration configuration, bool demo)
    {
        services.AddNetzwerkDataProtection();
        services.AddSingleton<TokenSigningKeys>();
        services.AddSingleton<DemoTokens>();
        var provider = OidcSettings.From(configuration);
        services.AddSingleton(provider);

        var auth = services.AddAuthentication(SmartScheme)
            .AddPolicyScheme(SmartScheme, SmartScheme, o => o.ForwardDefaultSelector = ctx => BearerTokenOf(ctx.Request) switch
            {
                null => CookieScheme,
                // Routing only, not trust: the demo scheme validates with our key, the provider scheme with the
                // provider's; a token claiming the other issuer fails there. Outside demo mode no demo scheme exists.
                var token when demo && UnverifiedIssuer(token) == TokenSigningKeys.Issuer => DemoBearerScheme,
                _ => BearerScheme,
            })
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
            .AddProvider(configuration, provider);

        if (demo)
        {
            auth.AddJwtBearer(DemoBearerScheme, o => o.MapInboundClaims = false);
            services.AddOptions<JwtBearerOptions>(DemoBearerScheme).Configure<TokenSigningKeys>((o, keys) =>
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = TokenSigningKeys.Issuer,
                    ValidAudience = TokenSigningKeys.Audience,
                    // The key is loaded from the database at start-up, after the options may have been built.
                    IssuerSigningKeyResolver = (_, _, _, _) => [keys.Key],
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    NameClaimType = NetzwerkClaims.Name,
                    RoleClaimType = NetzwerkClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                });
        }

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

    /// <summary>The bearer token of the request, if any (also decides that a request is not exposed to CSRF).</summary>
    public static string? BearerTokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private static string? UnverifiedIssuer(string token)
    {
        try { return new JsonWebToken(token).Issuer; }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException) { return null; } // not a JWT at all: the provider scheme refuses it
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
