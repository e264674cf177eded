using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Identity.Oidc;
using Netzwerk.Web.Hosting;

namespace Netzwerk.Web.Identity.Oidc;

/// <summary>
/// Sign-in with the organisation's OpenID provider: authorization code flow with PKCE (S256), state and nonce
/// kept in a protected, short-lived correlation cookie, code exchange at the token endpoint, id_token validation,
/// then our own cookie session with mapped claims.
/// </summary>
public static class OidcSignIn
{
    public const string StartPath = "/anmelden/oidc";
    private const string CorrelationCookie = "netzwerk.oidc";
    private static readonly TimeSpan CorrelationLifetime = TimeSpan.FromMinutes(10);
    public const string IdTokenName = "id_token";
    public const string MethodClaim = "amr_netzwerk";

    private sealed record Correlation(string State, string Nonce, string Verifier, string ReturnUrl);
    private sealed record TokenResponse(string? id_token, string? access_token, string? error);

    public static IEndpointRouteBuilder MapOidcSignIn(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<OidcMetadata>() is null) return app;
        var group = app.MapGroup(StartPath).AllowAnonymous().WithTags("Anmeldung").RequireRateLimiting(RateLimits.SignIn)
            .ExcludeFromDescription();
        group.MapGet("", StartAsync);
        group.MapGet("/rueckkehr", CallbackAsync);
        return app;
    }

    private static async Task<IResult> StartAsync(HttpContext http, OidcMetadata oidc, IDataProtectionProvider dp, string? returnUrl)
    {
        var config = await oidc.GetAsync(http.RequestAborted);
        var s = oidc.Settings;
        var correlation = new Correlation(Random(32), Random(32), Random(32), IsLocal(returnUrl) ? returnUrl! : "/");
        var protector = Protector(dp);
        http.Response.Cookies.Append(CorrelationCookie,
            protector.Protect(JsonSerializer.Serialize(correlation), CorrelationLifetime),
            CorrelationCookieOptions(http));

        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(correlation.Verifier)));
        var query = new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = s.ClientId!,
            ["redirect_uri"] = RedirectUri(http, s),
            ["scope"] = s.Scope,
            ["state"] = correlation.State,
            ["nonce"] = correlation.Nonce,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        };
        return Results.Redirect(config.AuthorizationEndpoint + (config.AuthorizationEndpoint.Contains('?') ? "&" : "?")
            + string.Join("&", query.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}")));
    }

    private static async Task<IResult> CallbackAsync(HttpContext http, OidcMetadata oidc, IDataProtectionProvider dp,
        IHttpClientFactory httpClients, AuditLog audit, UserDirectory users, TimeProvider clock, ILoggerFactory logs,
        string? code, string? state, string? error)
    {
        var log = logs.CreateLogger("Netzwerk.Oidc");
        var s = oidc.Settings;
        var remote = http.Connection.RemoteIpAddress?.ToString();
        async Task<IResult> Refuse(string reason, string errorCode)
        {
            // Why it failed goes to the audit trail and the log; the user sees a neutral message.
            log.LogWarning("OIDC sign-in refused: {Reason}", reason);
            await audit.RecordAsync(new AuditEvent("sign-in", "user", "unbekannt", "denied", $"oidc: {reason}"), "anonym", "anonym", remote);
            return Results.Redirect($"/anmelden?fehler={errorCode}");
        }

        // One attempt per correlation cookie: it is removed whatever happens next.
        var cookie = http.Request.Cookies[CorrelationCookie];
        http.Response.Cookies.Delete(CorrelationCookie, CorrelationCookieOptions(http));
        if (error is not null) return await Refuse("provider returned an error", "anbieter");
        Correlation? correlation = null;
        try
        {
            if (cookie is not null) correlation = JsonSerializer.Deserialize<Correlation>(Protector(dp).Unprotect(cookie));
        }
        catch (CryptographicException) { }
        if (correlation is null) return await Refuse("correlation cookie missing, expired or forged", "abgelaufen");
        if (state is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state), Encoding.UTF8.GetBytes(correlation.State)))
            return await Refuse("state does not match", "ungueltig");
        if (string.IsNullOrEmpty(code)) return await Refuse("no code", "ungueltig");

        var config = await oidc.GetAsync(http.RequestAborted);
        using var request = new HttpRequestMessage(HttpMethod.Post, config.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = RedirectUri(http, s),
                ["code_verifier"] = correlation.Verifier,
            }),
        };
        // client_secret_basic (RFC 6749 2.3.1: both parts form-encoded before base64).
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{Uri.EscapeDataString(s.ClientId!)}:{Uri.EscapeDataString(s.ClientSecret ?? "")}")));
        using var response = await httpClients.CreateClient(nameof(OidcSignIn)).SendAsync(request, http.RequestAborted);
        if (!response.IsSuccessStatusCode) return await Refuse($"token endpoint answered {(int)response.StatusCode}", "ungueltig");
        var tokens = await response.Content.ReadFromJsonAsync<TokenResponse>(http.RequestAborted);
        if (tokens?.id_token is null) return await Refuse("no id_token", "ungueltig");

        ClaimsPrincipal providerPrincipal;
        try
        {
            providerPrincipal = IdTokenValidator.Validate(tokens.id_token, config, s.ClientId!, correlation.Nonce, clock);
        }
        catch (SecurityTokenException e)
        {
            return await Refuse($"id_token invalid ({e.GetType().Name})", "ungueltig");
        }

        var mapped = new OidcClaimsMapper(s).Map(providerPrincipal.Claims, AuthenticationSetup.CookieScheme);
        if (mapped.Identity is null) return await Refuse(mapped.Error!, "rolle");
        mapped.Identity.AddClaim(new Claim(MethodClaim, "oidc"));

        var properties = new AuthenticationProperties();
        properties.StoreTokens([new AuthenticationToken { Name = IdTokenName, Value = tokens.id_token }]);
        var principal = new ClaimsPrincipal(mapped.Identity);
        await http.SignInAsync(AuthenticationSetup.CookieScheme, principal, properties);
        var user = principal.CurrentUser();
        await users.RecordSignInAsync(user);
        await audit.RecordAsync(new AuditEvent("sign-in", "user", user.Id, Detail: "oidc"), user.Id, user.Role, remote);
        return Results.Redirect(correlation.ReturnUrl);
    }

    /// <summary>Where to send the browser after the local sign-out: the provider's end_session_endpoint, when it has one.</summary>
    public static async Task<string?> EndSessionUrlAsync(HttpContext http, string? idToken)
    {
        var oidc = http.RequestServices.GetService<OidcMetadata>();
        if (oidc is null || idToken is null) return null;
        var config = await oidc.GetAsync(http.RequestAborted);
        if (string.IsNullOrEmpty(config.EndSessionEndpoint)) return null;
        var baseUrl = oidc.Settings.PublicBaseUrl?.TrimEnd('/') ?? $"{http.Request.Scheme}://{http.Request.Host}";
        return $"{config.EndSessionEndpoint}?id_token_hint={Uri.EscapeDataString(idToken)}" +
               $"&client_id={Uri.EscapeDataString(oidc.Settings.ClientId!)}" +
               $"&post_logout_redirect_uri={Uri.EscapeDataString(baseUrl + "/")}";
    }

    private static ITimeLimitedDataProtector Protector(IDataProtectionProvider dp)
        => dp.CreateProtector("Netzwerk.Oidc.Correlation").ToTimeLimitedDataProtector();

    private static CookieOptions CorrelationCookieOptions(HttpContext http) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        // Lax: the provider's redirect back is a top-level GET from another site.
        SameSite = SameSiteMode.Lax,
        Path = StartPath,
        MaxAge = CorrelationLifetime,
        IsEssential = true,
    };

    private static string RedirectUri(HttpContext http, OidcSettings s)
        => (s.PublicBaseUrl?.TrimEnd('/') ?? $"{http.Request.Scheme}://{http.Request.Host}") + OidcSettings.CallbackPath;

    private static bool IsLocal(string? url)
        => !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    private static string Random(int bytes) => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(bytes));
}
