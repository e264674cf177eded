using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Netzwerk.Platform.Audit;

namespace Netzwerk.Platform.Identity.Oidc;

/// <summary>
/// The sign-in button's target: hands over to the OpenID Connect handler (<see cref="ProviderAuthentication"/>), which
/// sends the browser to the provider and takes it back at <see cref="OidcSettings.CallbackPath"/>.
/// </summary>
public static class OidcSignIn
{
    public const string StartPath = "/anmelden/oidc";

    public static IEndpointRouteBuilder MapOidcSignIn(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<OidcSettings>() is not { Enabled: true }) return app;
        app.MapGet(StartPath, StartAsync).AllowAnonymous().WithTags("Anmeldung").RequireRateLimiting(RateLimitPolicies.SignIn)
            .ExcludeFromDescription();
        return app;
    }

    private static async Task StartAsync(HttpContext http, AuditLog audit, ILoggerFactory logs, string? returnUrl)
    {
        var properties = new AuthenticationProperties { RedirectUri = IsLocal(returnUrl) ? returnUrl : "/" };
        try
        {
            await http.ChallengeAsync(ProviderAuthentication.Scheme, properties);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or IOException or TaskCanceledException)
        {
            // Provider unreachable, metadata unreadable, PAR refused: the German sign-in page, never a 500.
            logs.CreateLogger("Netzwerk.Oidc").LogWarning(e, "OIDC sign-in could not start");
            await audit.RecordAsync(new AuditEvent("sign-in", "user", "unbekannt", "denied", $"oidc: start failed ({e.GetType().Name})"),
                "anonym", "anonym", http.Connection.RemoteIpAddress?.ToString());
            if (!http.Response.HasStarted)
            {
                http.Response.Clear();
                http.Response.Redirect("/anmelden?fehler=anbieter");
            }
        }
    }

    /// <summary>Signed in through the provider (the session keeps the id_token for the sign-out there).</summary>
    public static Task<string?> IdTokenAsync(HttpContext http)
        => http.GetTokenAsync(AuthenticationSetup.CookieScheme, OpenIdConnectParameterNames.IdToken);

    private static bool IsLocal(string? url)
        => !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
