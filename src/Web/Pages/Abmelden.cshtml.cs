using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Web.Identity.Oidc;

namespace Netzwerk.Web.Pages;

public sealed class AbmeldenModel(AuditLog audit) : PageModel
{
    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = CurrentUser.From(User);
        var idToken = await HttpContext.GetTokenAsync(AuthenticationSetup.CookieScheme, OidcSignIn.IdTokenName);
        await HttpContext.SignOutAsync(AuthenticationSetup.CookieScheme);
        if (user is not null)
            await audit.RecordAsync(new AuditEvent("sign-out", "user", user.Id), user.Id, user.Role,
                HttpContext.Connection.RemoteIpAddress?.ToString());
        // Also end the session at the organisation's provider, or the next sign-in would skip the password.
        var endSession = await OidcSignIn.EndSessionUrlAsync(HttpContext, idToken);
        return endSession is null ? Redirect("/") : Redirect(endSession);
    }
}
