using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Consents;

namespace Netzwerk.Referrals.Pages.Verweisungen;

/// <summary>
/// /verweisungen/{id}/einwilligung-digital: the same declaration on screen or tablet; the client ticks it and types their
/// name. Recorded as a digital consent with the form number, so the exact text version is stored with it.
/// </summary>
[Authorize(Policy = Policies.CaseWork)]
public sealed class DigitalModel(ConsentDeclaration.Builder builder, RecordConsent.Handler record, TimeProvider clock) : PageModel
{
    public Guid Id { get; private set; }
    public ConsentDeclaration.View? Declaration { get; private set; }
    [BindProperty] public string? Confirm { get; set; }
    [BindProperty] public string? ConfirmedName { get; set; }
    [BindProperty] public string? GuardianName { get; set; }
    [BindProperty] public string? FormNumber { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string? sprache, string[]? kategorien, string? rueckmeldung, string? bis, CancellationToken ct)
        => await ShowAsync(id, sprache, kategorien, rueckmeldung, bis, ct);

    public async Task<IActionResult> OnPostAsync(Guid id, string? sprache, string[]? kategorien, string? rueckmeldung, string? bis, CancellationToken ct)
    {
        var shown = await ShowAsync(id, sprache, kategorien, rueckmeldung, bis, ct);
        if (Declaration is null || Declaration.Consented || shown is not PageResult) return shown;
        if (Confirm != "true") ModelState.AddModelError(nameof(Confirm), "Bitte bestätigen Sie, dass Sie den Text gelesen haben und einwilligen.");
        if (string.IsNullOrWhiteSpace(ConfirmedName)) ModelState.AddModelError(nameof(ConfirmedName), "Bitte geben Sie Ihren Namen ein.");
        if (ModelState.ErrorCount > 0) return Page();
        var d = Declaration;
        // The posted form number, not the one just computed: if the text changed meanwhile, the client did not see this one.
        var ok = await this.TryAsync(() => record.HandleAsync(User, id, new RecordConsent.Request(
            d.Purpose, d.Categories, d.FeedbackLevel, "digital", clock.Today(), d.ExpiresOn, false,
            string.IsNullOrWhiteSpace(GuardianName) ? null : GuardianName, null, FormNumber, ConfirmedName), ct),
            new Dictionary<string, string> { ["guardianName"] = nameof(GuardianName), ["confirmedName"] = nameof(ConfirmedName), ["formNumber"] = "" });
        if (!ok) return Page();
        TempData["Message"] = "Die digitale Einwilligung ist erfasst (mit der angezeigten Textfassung). Sie können die Verweisung jetzt senden.";
        return Redirect($"/verweisungen/{id}");
    }

    private async Task<IActionResult> ShowAsync(Guid id, string? sprache, string[]? kategorien, string? rueckmeldung, string? bis, CancellationToken ct)
    {
        Id = id;
        try
        {
            Declaration = await builder.BuildAsync(User, id, sprache, kategorien, rueckmeldung, Ui.ParseDate(bis), ct);
        }
        catch (ReferralProblem p) when (p.Status == 404) { return NotFound(); }
        catch (ReferralProblem p)
        {
            ModelState.AddModelError("", p.Detail);
        }
        return Page();
    }
}
