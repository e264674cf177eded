using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Netzwerk.Platform;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Identity.Oidc;

namespace Netzwerk.Platform.Pages;

[AllowAnonymous, EnableRateLimiting(RateLimitPolicies.SignIn)]
public sealed class AnmeldenModel(DemoSettings demo, OidcSettings oidc) : PageModel
{
    public bool DemoEnabled => demo.Enabled;
    public bool OidcEnabled => oidc.Enabled;
    public IReadOnlyList<DemoUsers.DemoUser> Users => DemoUsers.All;

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true, Name = "fehler")]
    public string? Error { get; set; }

    public string SafeReturnUrl => Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/";

    public string? ErrorMessage => Error switch
    {
        null => null,
        "abgelaufen" => "Die Anmeldung hat zu lange gedauert oder wurde in einem anderen Fenster begonnen. Bitte melden Sie sich erneut an.",
        "rolle" => "Ihr Konto ist angemeldet, hat in Netzwerk aber keine Rolle. Bitte wenden Sie sich an die Administration.",
        "anbieter" => "Der Identitätsanbieter hat die Anmeldung abgebrochen.",
        _ => "Die Anmeldung konnte nicht bestätigt werden. Bitte versuchen Sie es erneut.",
    };

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? user)
    {
        if (!demo.Enabled) return NotFound();
        var demoUser = user is null ? null : DemoUsers.Find(user);
        if (demoUser is null)
        {
            ModelState.AddModelError("user", "Unbekannte Demo-Person.");
            return Page();
        }
        await DemoSignIn.SignInAsync(HttpContext, demoUser);
        // Only local return URLs: no open redirect.
        return LocalRedirect(SafeReturnUrl);
    }
}
