namespace Netzwerk.Web.Hosting;

public static class SecurityHeaders
{
    /// <summary>
    /// Headers on every response. Scripts only from our own origin (no inline script), no framing,
    /// no referrer leaking case references to other sites.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        // Sign-out is a form post that redirects to the provider's end_session_endpoint: form-action must allow it.
        var provider = app.ApplicationServices.GetService<Netzwerk.Platform.Identity.Oidc.OidcSettings>()?.ProviderOrigin is { } origin
            ? " " + origin
            : "";
        return app.Use(async (ctx, next) =>
    {
        ctx.Response.OnStarting(() =>
        {
            var h = ctx.Response.Headers;
            // Swagger UI ships inline scripts; it is the one page that gets a looser policy.
            var csp = ctx.Request.Path.StartsWithSegments("/api-doku")
                ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
                : "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'" + provider + "; base-uri 'self'; frame-ancestors 'none'; object-src 'none'";
            h.ContentSecurityPolicy = csp;
            h.XContentTypeOptions = "nosniff";
            h["Referrer-Policy"] = "no-referrer";
            h.XFrameOptions = "DENY";
            h["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()";
            if (ctx.Request.IsHttps)
                h.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            return Task.CompletedTask;
        });
        await next();
    });
    }
}
