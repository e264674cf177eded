using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Directory.Verification;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Pflege.Pruefaktionen;

/// <summary>/pflege/pruefaktionen: start a verification campaign (which entries) and see the earlier ones.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class IndexModel(Campaigns campaigns, CatalogueEditor editor, CampaignSettings settings, TimeProvider time) : PageModel
{
    public List<FreshnessRow> Freshness { get; private set; } = [];
    public List<(Guid Id, string Title, string Selection, DateTime CreatedAt, int Partners, int Answered)> List { get; private set; } = [];
    public List<(string Code, string Name)> Categories { get; private set; } = [];
    public List<string> Districts { get; private set; } = [];
    public List<(Guid Id, string Name)> Organizations { get; private set; } = [];
    public Dictionary<string, string> Errors { get; private set; } = new();
    public int DefaultReminderDays => settings.ReminderWorkingDays;

    [BindProperty] public string? Auswahl { get; set; } = CampaignSelections.Due;
    [BindProperty] public string? Kategorie { get; set; }
    [BindProperty] public string? Landkreis { get; set; }
    [BindProperty] public string? Traeger { get; set; }
    [BindProperty] public int? Erinnerung { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var value = Auswahl switch { CampaignSelections.Category => Kategorie, CampaignSelections.District => Landkreis, CampaignSelections.Organization => Traeger, _ => null };
        var r = await campaigns.CreateAsync(new CampaignInput(Auswahl, value, Erinnerung), User.CurrentUser(), ct);
        if (r.Outcome == CommandOutcome.Done) return Redirect($"/pflege/pruefaktionen/{r.Id}?meldung=gesendet");
        editor.Db.ChangeTracker.Clear();
        foreach (var (field, messages) in r.Errors?.ToDictionary() ?? new Dictionary<string, string[]>()) Errors[field] = string.Join(" ", messages);
        Response.StatusCode = 400;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        List = await campaigns.ListAsync(ct);
        Freshness = await Verification.Freshness.QueryAsync(editor.Db, time.GetUtcNow(), ct);
        var terms = await editor.TermsAsync(ct);
        Categories = (await editor.Db.TaxonomyTerms.AsNoTracking().Where(t => t.Taxonomy!.Code == TaxonomyCodes.PartnerKind).OrderBy(t => t.Name).Select(t => new { t.Code, t.Name }).ToListAsync(ct))
            .Select(t => (t.Code, t.Name)).ToList();
        var conn = editor.Db.Database.GetDbConnection();
        Districts = (await conn.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT district FROM directory.location WHERE district IS NOT NULL ORDER BY district", cancellationToken: ct))).ToList();
        Organizations = (await editor.Db.Organizations.AsNoTracking().Where(o => o.Status != EntryStatus.Retired).OrderBy(o => o.Name)
            .Select(o => new { o.Id, o.Name }).ToListAsync(ct)).Select(o => (o.Id, o.Name)).ToList();
    }
}
