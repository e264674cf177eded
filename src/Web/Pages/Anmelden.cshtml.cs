using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform;
using Netzwerk.Platform.Identity;
using Netzwerk.Web.Identity;

namespace Netzwerk.Web.Pages;

public sealed class AnmeldenModel(DemoSettings demo) : PageModel
{
    public bool DemoEnabled => demo.Enabled;
    public IReadOnlyList<DemoUsers.DemoUser> Users => DemoUsers.All;

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

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
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
