using Microsoft.AspNetCore.Antiforgery;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Web.Hosting;

/// <summary>
/// A state change on the JSON API that rides on the browser's session cookie must prove that our own page sent it:
/// the anti-forgery token in the X-CSRF-TOKEN header (or form field), and no cross-site Origin or Sec-Fetch-Site.
/// SameSite=Lax alone lets a top-level cross-site form POST through in some browsers and says nothing about
/// same-site subdomains. Bearer-token callers are not exposed to CSRF (a browser never adds that header by itself)
/// and pass unchanged; requests without a session are refused later by authorization anyway.
/// </summary>
public static class SameOriginGuard
{
    public static IApplicationBuilder UseSameOriginGuard(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!Applies(http.Request) || await ProvesSameOriginAsync(http))
        {
            await next(http);
            return;
        }
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: Netzwerk.Platform.Problems.Problems.Titles[403],
            detail: "Die Anfrage kam nicht von einer Seite dieser Anwendung. Bitte laden Sie die Seite neu und versuchen Sie es erneut.")
            .ExecuteAsync(http);
    });

    private static bool Applies(HttpRequest request) =>
        request.Path.StartsWithSegments("/api")
        && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        // The same test that sends a request to a bearer scheme: a cookie session never skips this guard.
        && AuthenticationSetup.BearerTokenOf(request) is null
        && request.HttpContext.User.Identity?.IsAuthenticated == true;

    private static async Task<bool> ProvesSameOriginAsync(HttpContext http)
    {
        var site = http.Request.Headers["Sec-Fetch-Site"].ToString();
        if (site is "cross-site" or "same-site") return false;
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase))
            return false;
        return await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http);
    }
}
