using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Netzwerk.Platform.Audit;

namespace Netzwerk.Platform.Identity.Oidc;

/// <summary>
/// Sign-in and API tokens from the organisation's OpenID provider, through the standard handlers: OpenID Connect
/// (authorization code + PKCE, PAR when offered, end_session) and JwtBearer, or Microsoft.Identity.Web for Entra ID.
/// What is ours: the claim mapping, the audit, and that every refusal ends on the German sign-in page.
/// </summary>
public static class ProviderAuthentication
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;
    public const string MethodClaim = "amr_netzwerk";
    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    public static AuthenticationBuilder AddProvider(this AuthenticationBuilder auth, IConfiguration configuration, OidcSettings settings)
    {
        if (!settings.Enabled)
        {
            // No provider: the bearer scheme still exists and refuses every token (no keys, no audience).
            auth.AddJwtBearer(AuthenticationSetup.BearerScheme, o => o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidAlgorithms = Algorithms, ValidAudiences = [], ValidIssuers = [],
            });
            return auth;
        }

        if (settings.IsEntraId)
        {
            var entra = configuration.GetSection("EntraId");
            var webApp = auth.AddMicrosoftIdentityWebApp(m =>
            {
                entra.Bind(m);
                m.CallbackPath = OidcSettings.CallbackPath;
                m.SignedOutCallbackPath = OidcSettings.SignedOutCallbackPath;
            }, null, Scheme, cookieScheme: null);
            // With a certificate instead of a secret, the code is redeemed by MSAL (client assertion), not by the handler.
            if (entra.GetSection("ClientCertificates").GetChildren().Any())
                webApp.EnableTokenAcquisitionToCallDownstreamApi().AddInMemoryTokenCaches();
            auth.AddMicrosoftIdentityWebApi(_ => { }, m =>
            {
                entra.Bind(m);
                // Our claim mapping refuses tokens without a mapped role; Identity.Web's scope-or-role check would
                // refuse app-only tokens first with an exception of its own.
                m.AllowWebApiToBeAuthorizedByACL = true;
            }, AuthenticationSetup.BearerScheme);
        }
        else
        {
            auth.AddOpenIdConnect(Scheme, o =>
            {
                o.Authority = settings.Authority;
                o.ClientId = settings.ClientId;
                o.ClientSecret = settings.ClientSecret;
                o.Scope.Clear();
                foreach (var scope in settings.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
                o.CallbackPath = OidcSettings.CallbackPath;
                o.SignedOutCallbackPath = OidcSettings.SignedOutCallbackPath;
            });
            auth.AddJwtBearer(AuthenticationSetup.BearerScheme, o =>
            {
                o.Authority = settings.Authority;
            });
        }

        // Registered after the handlers' own set-up (and Identity.Web's, which copies its options over the handler's),
        // so these settings win; still Configure, not PostConfigure, because the handlers' PostConfigure reads them.
        auth.Services.Configure<OpenIdConnectOptions>(Scheme, o => ConfigureSignIn(o, settings));
        auth.Services.Configure<JwtBearerOptions>(AuthenticationSetup.BearerScheme, o => ConfigureBearer(o, settings));
        return auth;
    }

    private static void ConfigureSignIn(OpenIdConnectOptions o, OidcSettings settings)
    {
        o.SignInScheme = AuthenticationSetup.CookieScheme;
        o.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        if (settings.MetadataAddress is not null) o.MetadataAddress = settings.MetadataAddress;
        // The code comes back in the query of a top-level GET: a cross-site form_post would not carry the SameSite=Lax
        // correlation and nonce cookies.
        o.ResponseType = OpenIdConnectResponseType.Code;
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.UsePkce = true;
        o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.UseIfAvailable;
        // Claim names as the provider sends them (roles, oid, tid), as the mapping expects. Identity.Web hands the handler
        // a token handler of its own, which the MapInboundClaims switch does not reach: a fresh one.
        o.MapInboundClaims = false;
        o.TokenHandler = new JsonWebTokenHandler { MapInboundClaims = false };
        o.GetClaimsFromUserInfoEndpoint = false;
        o.SaveTokens = false; // only the id_token is kept (below), for the sign-out at the provider
        o.UseTokenLifetime = false; // our session lifetime (8 h), not the id_token's
        o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
        // The provider's redirect back is a top-level GET from another site: Lax, and Secure only over https.
        foreach (var cookie in new[] { o.CorrelationCookie, o.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.HttpOnly = true;
        }
        o.CorrelationCookie.Name = "netzwerk.oidc.korrelation.";
        o.NonceCookie.Name = "netzwerk.oidc.nonce.";
        o.TokenValidationParameters.ValidAlgorithms = Algorithms;
        o.TokenValidationParameters.NameClaimType = "name";
        if (settings.IsEntraId) PinEntraIssuer(o.TokenValidationParameters, settings);

        var previousRedirect = o.Events.OnRedirectToIdentityProvider;
        var previousValidated = o.Events.OnTokenValidated;
        var previousFailure = o.Events.OnRemoteFailure;
        o.Events.OnTokenValidated = async ctx =>
        {
            await previousValidated(ctx);
            if (ctx.Result is not null || ctx.Principal is null) return;
            var mapped = new OidcClaimsMapper(settings).Map(ctx.Principal.Claims, AuthenticationSetup.CookieScheme);
            if (mapped.Identity is null)
            {
                // The claim names (never values) tell an operator which mapping setting is wrong.
                var names = string.Join(",", ctx.Principal.Claims.Select(c => c.Type).Distinct());
                await RefuseAsync(ctx.HttpContext, $"{mapped.Error} (claims: {names})", "rolle");
                ctx.HandleResponse();
                return;
            }
            mapped.Identity.AddClaim(new Claim(MethodClaim, "oidc"));
            ctx.Principal = new ClaimsPrincipal(mapped.Identity);
            var idToken = ctx.TokenEndpointResponse?.IdToken ?? ctx.ProtocolMessage?.IdToken;
            if (idToken is not null) ctx.Properties!.StoreTokens([new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);

            var user = ctx.Principal.CurrentUser();
            var services = ctx.HttpContext.RequestServices;
            await services.GetRequiredService<UserDirectory>().RecordSignInAsync(user);
            await services.GetRequiredService<AuditLog>().RecordAsync(new AuditEvent("sign-in", "user", user.Id, Detail: "oidc"),
                user.Id, user.Role, ctx.HttpContext.Connection.RemoteIpAddress?.ToString());
        };
        // Wrong or missing state, a replayed code, a refused id_token, an error from the provider: the handler fails
        // the callback; we record why and send the browser to the sign-in page with a neutral German message.
        o.Events.OnRemoteFailure = async ctx =>
        {
            await previousFailure(ctx);
            if (ctx.Result is not null) return;
            var providerError = ctx.Request.Query.ContainsKey("error");
            var expired = ctx.Failure?.Message.StartsWith("Correlation failed", StringComparison.Ordinal) == true;
            await RefuseAsync(ctx.HttpContext, $"{ctx.Failure?.GetType().Name}: {ctx.Failure?.Message}",
                providerError ? "anbieter" : expired ? "abgelaufen" : "ungueltig");
            ctx.HandleResponse();
        };
        var previousSignOut = o.Events.OnRedirectToIdentityProviderForSignOut;
        var publicBase = settings.PublicBaseUrl?.TrimEnd('/');
        o.Events.OnRedirectToIdentityProvider = async ctx =>
        {
            await previousRedirect(ctx);
            if (publicBase is null) return;
            // The code is redeemed with the redirect URI remembered here, so both must name the public address.
            ctx.ProtocolMessage.RedirectUri = publicBase + OidcSettings.CallbackPath;
            ctx.Properties.Items[OpenIdConnectDefaults.RedirectUriForCodePropertiesKey] = ctx.ProtocolMessage.RedirectUri;
        };
        o.Events.OnRedirectToIdentityProviderForSignOut = async ctx =>
        {
            await previousSignOut(ctx);
            if (publicBase is not null) ctx.ProtocolMessage.PostLogoutRedirectUri = publicBase + OidcSettings.SignedOutCallbackPath;
        };
    }

    private static void ConfigureBearer(JwtBearerOptions o, OidcSettings settings)
    {
        o.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        if (settings.MetadataAddress is not null) o.MetadataAddress = settings.MetadataAddress;
        o.MapInboundClaims = false;
        var p = o.TokenValidationParameters;
        p.ValidAlgorithms = Algorithms;
        p.ValidateAudience = true;
        p.AudienceValidator = null;
        p.ValidAudience = null;
        // An id_token (audience = our client id) is no access token: only the configured API audience counts.
        p.ValidAudiences = settings.ApiAudience is { } audience ? [audience] : [];
        p.RequireExpirationTime = true;
        p.RequireSignedTokens = true;
        p.ClockSkew = TimeSpan.FromSeconds(30);
        if (settings.IsEntraId) PinEntraIssuer(p, settings);

        var previousValidated = o.Events.OnTokenValidated;
        o.Events.OnTokenValidated = async ctx =>
        {
            await previousValidated(ctx);
            if (ctx.Result is not null || ctx.Principal is null) return;
            // The provider's claims are mapped onto ours; its raw claims never reach authorisation.
            var mapped = new OidcClaimsMapper(settings).Map(ctx.Principal.Claims, AuthenticationSetup.BearerScheme);
            if (mapped.Identity is null) ctx.Fail(mapped.Error!);
            else ctx.Principal = new ClaimsPrincipal(mapped.Identity);
        };
        var previousFailed = o.Events.OnAuthenticationFailed;
        o.Events.OnAuthenticationFailed = async ctx =>
        {
            await previousFailed(ctx);
            ctx.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Netzwerk.Bearer")
                .LogWarning("Bearer token refused: {Reason}", ctx.Exception.GetType().Name);
        };
    }

    /// <summary>
    /// One tenant, one issuer (<c>{Instance}/{TenantId}/v2.0</c>), checked by IdentityModel's standard issuer validator.
    /// Identity.Web's own validator accepts any tenant's issuer matched against the token's <c>tid</c> and reads the
    /// templates from Microsoft's cloud; a single-tenant line-of-business app wants exactly its tenant.
    /// </summary>
    private static void PinEntraIssuer(TokenValidationParameters p, OidcSettings settings)
    {
        p.ValidateIssuer = true;
        p.ValidIssuer = settings.EntraIssuer;
        p.ValidIssuers = null;
        p.IssuerValidator = null; // the standard check against ValidIssuer
    }

    private static async Task RefuseAsync(HttpContext http, string reason, string errorCode)
    {
        // Why it failed goes to the audit trail and the log; the user sees a neutral message.
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Netzwerk.Oidc")
            .LogWarning("OIDC sign-in refused: {Reason}", reason);
        await http.RequestServices.GetRequiredService<AuditLog>().RecordAsync(
            new AuditEvent("sign-in", "user", "unbekannt", "denied", $"oidc: {Truncate(reason, 300)}"),
            "anonym", "anonym", http.Connection.RemoteIpAddress?.ToString());
        http.Response.Redirect($"/anmelden?fehler={errorCode}");
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
