using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Identity.Oidc;

namespace Netzwerk.Platform.Pages;

public sealed class AbmeldenModel(AuditLog audit, OidcSettings oidc) : PageModel
{
    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = CurrentUser.From(User);
        var signedInAtProvider = oidc.Enabled && await OidcSignIn.IdTokenAsync(HttpContext) is not null;
        if (user is not null)
            await audit.RecordAsync(new AuditEvent("sign-out", "user", user.Id), user.Id, user.Role,
                HttpContext.Connection.RemoteIpAddress?.ToString());
        if (!signedInAtProvider)
        {
            await HttpContext.SignOutAsync(AuthenticationSetup.CookieScheme);
            return Redirect("/");
        }
        // Also end the session at the organisation's provider (end_session_endpoint with id_token_hint), or the next
        // sign-in would skip the password. The handler reads the id_token from the session, so it goes first; the cookie
        // handler gets no RedirectUri, or it would replace the redirect to the provider with its own.
        await HttpContext.SignOutAsync(ProviderAuthentication.Scheme, new AuthenticationProperties { RedirectUri = "/" });
        await HttpContext.SignOutAsync(AuthenticationSetup.CookieScheme);
        return new EmptyResult();
    }
}
