using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Consents;

namespace Netzwerk.Referrals.Pages.Verweisungen;

/// <summary>
/// /verweisungen/{id}/erklaerung: the printable Einwilligungserklärung of a draft (A4, print CSS), in the chosen language
/// beside the German text. The options (language, categories, feedback level, expiry) hold no personal data, so they may
/// stay in the query string; the case reference is printed, never put in the URL.
/// </summary>
[Authorize(Policy = Policies.CaseWork)]
public sealed class ErklaerungModel(ConsentDeclaration.Builder builder) : PageModel
{
    public Guid Id { get; private set; }
    public ConsentDeclaration.View? Declaration { get; private set; }
    /// <summary>The current options, to carry them over to the on-screen consent.</summary>
    public string Query => Request.QueryString.HasValue ? Request.QueryString.Value![1..] : "";

    public async Task<IActionResult> OnGetAsync(Guid id, string? sprache, string[]? kategorien, string? rueckmeldung, string? bis, CancellationToken ct)
    {
        Id = id;
        var expires = Ui.ParseDate(bis);
        if (!string.IsNullOrWhiteSpace(bis) && expires is null) ModelState.AddModelError("bis", "Bitte geben Sie ein gültiges Datum an.");
        try
        {
            Declaration = await builder.BuildAsync(User, id, sprache, kategorien, rueckmeldung, expires, ct);
        }
        catch (ReferralProblem p) when (p.Status == 404) { return NotFound(); }
        catch (ReferralProblem p) when (p.Status == 400)
        {
            foreach (var (field, messages) in p.Errors ?? new Dictionary<string, string[]>())
                foreach (var m in messages) ModelState.AddModelError(field, m);
            Declaration = await builder.BuildAsync(User, id, null, null, null, null, ct);
        }
        return Page();
    }
}
