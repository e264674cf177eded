using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Partner;
using Netzwerk.Referrals.Prompts;
using E = Netzwerk.Referrals.Lifecycle.ReferralStateMachine.EventNames;

namespace Netzwerk.Referrals.Pages.Partner;

/// <summary>
/// /partner/verweisungen/{id}/teilnahme?antwort=wahrgenommen|nicht-wahrgenommen: where the attendance mail's two links lead.
/// The GET only shows the answer to confirm (mail scanners open links); the button posts it (antiforgery). Before the
/// appointment's day the page says so and offers nothing to send.
/// </summary>
[Authorize(Policy = Policies.Partner)]
public sealed class TeilnahmeModel(PartnerReferrals.Queries queries, PartnerReferrals.Responses responses) : PageModel
{
    public PartnerReferrals.Detail Referral { get; private set; } = null!;

    /// <summary>true: wahrgenommen, false: nicht wahrgenommen, null: not chosen yet.</summary>
    [BindProperty(SupportsGet = true)] public string? Antwort { get; set; }

    public bool? Attended => Antwort switch { PromptMail.Attended => true, PromptMail.NotAttended => false, _ => null };
    public bool CanReport => Referral.AllowedActions.Contains(E.PartnerReportedAttendance);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await ShowAsync(id, ct);

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (Attended is not { } attended)
        {
            ModelState.AddModelError(nameof(Antwort), "Bitte wählen Sie, ob der Termin wahrgenommen wurde.");
            return await ShowAsync(id, ct);
        }
        if (await this.TryAsync(() => responses.AttendanceAsync(User, id, new PartnerReferrals.AttendanceRequest(attended), ct)))
        {
            TempData["Message"] = attended ? "Danke – gemeldet: Termin wahrgenommen." : "Danke – gemeldet: Termin nicht wahrgenommen.";
            return Redirect($"/partner/verweisungen/{id}");
        }
        return await ShowAsync(id, ct);
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Referral = await queries.GetAsync(User, id, ct);
        }
        catch (ReferralProblem p) when (p.Status == 404)
        {
            return NotFound();
        }
        return Page();
    }
}
