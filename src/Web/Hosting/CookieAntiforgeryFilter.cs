using Microsoft.AspNetCore.Antiforgery;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Web.Hosting;

/// <summary>
/// Anti-forgery for API endpoints that change state: a request riding on the browser's session cookie must
/// carry the anti-forgery token (header X-CSRF-TOKEN or form field); bearer-token callers are not exposed to CSRF.
/// </summary>
public sealed class CookieAntiforgeryFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        // The same test that sends the request to the bearer scheme (AuthenticationSetup): a cookie session never skips this.
        var bearer = AuthenticationSetup.BearerTokenOf(http.Request) is not null;
        if (!bearer && !await antiforgery.IsRequestValidAsync(http))
            return Results.Problem(statusCode: 400, title: Problems.Titles[400],
                detail: "Das Formular ist abgelaufen oder wurde nicht von dieser Anwendung gesendet. Bitte laden Sie die Seite neu.");
        return await next(context);
    }
}
