using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Consents;

namespace Netzwerk.Referrals.Pages.Verweisungen;

/// <summary>/verweisungen/{id}/einwilligungen: every consent of this referral's person, with scope, status and covered referrals; revoke from here.</summary>
[Authorize(Policy = Policies.CaseWork)]
public sealed class EinwilligungenModel(ConsentOverview.Queries queries, RevokeConsent.Handler revoke) : PageModel
{
    public Guid Id { get; private set; }
    public IReadOnlyList<ConsentOverview.Item> Consents { get; private set; } = [];
    public string? Message { get; private set; }
    public bool IsResponsible => User.CurrentUser().Role == Roles.CaseManager;
    [BindProperty] public Guid ConsentId { get; set; }
    [BindProperty] public string? RevokedBy { get; set; }
    [BindProperty] public string? ConfirmRevoke { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        Message = TempData["Message"] as string;
        return await ShowAsync(id, ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        var shown = await ShowAsync(id, ct);
        if (shown is not PageResult) return shown;
        // only a consent listed here (reached through a referral the caller may see) can be revoked from this page
        if (Consents.All(c => c.ConsentId != ConsentId)) return NotFound();
        if (ConfirmRevoke != "true")
        {
            ModelState.AddModelError($"ConfirmRevoke-{ConsentId}", "Bitte bestätigen Sie, dass der Widerruf erklärt wurde.");
            return Page();
        }
        if (!await this.TryAsync(() => revoke.HandleAsync(User, ConsentId, ct, RevokedBy ?? "client"))) return Page();
        TempData["Message"] = "Der Widerruf ist erfasst. Offene Verweisungen mit dieser Einwilligung sind storniert.";
        return Redirect($"/verweisungen/{id}/einwilligungen");
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        Id = id;
        try { Consents = await queries.ForCaseOfAsync(User, id, ct); }
        catch (ReferralProblem p) when (p.Status == 404) { return NotFound(); }
        return Page();
    }
}
