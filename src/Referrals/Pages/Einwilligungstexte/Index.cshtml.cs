using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Consents;

namespace Netzwerk.Referrals.Pages.Einwilligungstexte;

/// <summary>
/// /einwilligungstexte: Netzwerkkoordination and Datenschutz maintain the declaration's wording per language, preview it
/// as it will print, and save it as a new version. Saved versions are never changed; signed consents keep theirs.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class IndexModel(ConsentTexts.Store store, AuditLog audit, TimeProvider clock) : PageModel
{
    public ConsentLanguage Language { get; private set; } = ConsentTexts.Languages[0];
    public IReadOnlyList<ConsentTexts.Version> History { get; private set; } = [];
    public ConsentDeclaration.View? Preview { get; private set; }
    public string? Message { get; private set; }
    [BindProperty] public Dictionary<string, string?> Texts { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(string? sprache, CancellationToken ct)
    {
        if (!MayMaintain) return Forbid();
        if (await LoadAsync(sprache, ct) is { } missing) return missing;
        Texts = History.FirstOrDefault()?.Texts.ToDictionary(kv => kv.Key, kv => (string?)kv.Value) ?? new();
        Message = TempData["Message"] as string;
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(string? sprache, CancellationToken ct)
    {
        if (!MayMaintain) return Forbid();
        if (await LoadAsync(sprache, ct) is { } missing) return missing;
        if (Validate() is not { } clean) return Page();
        var draft = new ConsentTexts.Version(Language.Code, (History.FirstOrDefault()?.Number ?? 0) + 1, clean, clock.GetUtcNow(), User.CurrentUser().Id);
        var german = Language.Code == ConsentTexts.German ? draft : (await store.CurrentAsync(ConsentTexts.German, ct))!;
        // A made-up referral: the preview shows every item and the guardian's lines, and no client's data.
        Preview = new ConsentDeclaration.View(Guid.Empty, "MUSTER-0000", Language, draft, german, "EW-MUSTER", "Beispiel-Träger e. V.",
            "Beispielangebot", ConsentDeclaration.DraftPurpose("Beispielangebot", "Beispiel-Träger e. V."), DataCategories.German.Keys.ToArray(),
            FeedbackLevels.Attendance, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddMonths(6), true, "Vermögenssorge", false);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string? sprache, CancellationToken ct)
    {
        if (!MayMaintain) return Forbid();
        if (await LoadAsync(sprache, ct) is { } missing) return missing;
        if (Validate() is not { } clean) return Page();
        ConsentTexts.Version? added = null;
        if (!await this.TryAsync(async () => added = await store.AddAsync(Language.Code, clean, User.CurrentUser().Id, ct))) return Page();
        await audit.RecordAsync(new AuditEvent("consent-text.add", "consent-text", $"{Language.Code}/{added!.Number}"), ct);
        TempData["Message"] = $"Fassung {added.Number} ({Language.GermanName}) ist gespeichert. Bereits erteilte Einwilligungen behalten ihre Fassung.";
        return Redirect($"/einwilligungstexte?sprache={Language.Code}");
    }

    private bool MayMaintain => User.CurrentUser().IsInRole(Roles.NetworkCoordinator, Roles.DataProtection, Roles.Administrator);

    private async Task<IActionResult?> LoadAsync(string? sprache, CancellationToken ct)
    {
        if (ConsentTexts.Language(sprache ?? ConsentTexts.German) is not { } language) return NotFound();
        Language = language;
        History = await store.HistoryAsync(language.Code, ct);
        return null;
    }

    private Dictionary<string, string>? Validate()
    {
        try
        {
            return ConsentTexts.Validate(Language.Code, Texts);
        }
        catch (ReferralProblem p)
        {
            ModelState.AddModelError("", p.Detail);
            foreach (var (key, messages) in p.Errors ?? new Dictionary<string, string[]>())
                foreach (var m in messages) ModelState.AddModelError(FieldId(key), m);
            return null;
        }
    }

    public static string FieldId(string key) => "t-" + key.Replace('.', '-');
}
