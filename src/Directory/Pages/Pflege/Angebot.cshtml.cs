using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Pflege;

/// <summary>/pflege/angebote/{id|neu}: create or edit a service, verify, retire, and its change history.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class AngebotModel(CatalogueEditor editor) : PageModel
{
    [BindProperty] public ServiceForm Form { get; set; } = new();
    public Service? Service { get; private set; }
    public List<HistoryEntry> History { get; private set; } = [];
    public List<(Guid Id, string Name)> Organizations { get; private set; } = [];
    public List<TaxonomyTerm> CategoryTerms { get; private set; } = [];
    public List<TaxonomyTerm> TargetGroupTerms { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = new();
    public string? Message { get; private set; }
    public bool IsNew => Service is null;

    public string? Error(string field) => Errors.TryGetValue(field, out var e) ? string.Join(" ", e) : null;

    private Guid? ParseId(string id) => Guid.TryParse(id, out var g) ? g : null;

    public async Task<IActionResult> OnGetAsync(string id, Guid? traeger, string? meldung, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Form = Service is null ? new ServiceForm { OrganizationId = traeger, Status = EntryStatus.Active } : ServiceForm.From(CatalogueEditor.ToInput(Service, await editor.TermsAsync(ct)));
        Message = meldung switch { "gespeichert" => "Die Änderungen wurden gespeichert.", "geprueft" => "Der Eintrag ist als geprüft markiert.", "ausgeschieden" => "Das Angebot ist ausgeschieden und erscheint nicht mehr in der Suche.", _ => null };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken ct)
    {
        var existing = ParseId(id);
        if (id != "neu" && existing is null) return NotFound();
        var errors = new FieldErrors();
        var input = Form.ToInput(errors);
        if (!errors.Any)
        {
            var result = await ServiceCommands.SaveServiceAsync(editor, existing, input, User.CurrentUser(), ChangeSource.Coordination, ct);
            if (result.Outcome == CommandOutcome.NotFound) return NotFound();
            if (result.Outcome == CommandOutcome.Done) return Redirect($"/pflege/angebote/{result.Id}?meldung=gespeichert");
            errors = result.Errors!;
        }
        Errors = errors.ToDictionary().GroupBy(e => ServiceForm.FormField(e.Key)).ToDictionary(g => g.Key, g => g.SelectMany(x => x.Value).ToArray());
        editor.Db.ChangeTracker.Clear();
        await LoadAsync(id, ct);
        Response.StatusCode = 400;
        return Page();
    }

    public async Task<IActionResult> OnPostVerifyAsync(Guid id, CancellationToken ct)
        => await Outcome(await ServiceCommands.VerifyAsync(editor, id, User.CurrentUser(), ct), id, "geprueft", ct);

    public async Task<IActionResult> OnPostRetireAsync(Guid id, CancellationToken ct)
        => await Outcome(await ServiceCommands.RetireAsync(editor, id, User.CurrentUser(), ct), id, "ausgeschieden", ct);

    private async Task<IActionResult> Outcome(CommandResult r, Guid id, string message, CancellationToken ct)
    {
        if (r.Outcome == CommandOutcome.NotFound) return NotFound();
        if (r.Outcome == CommandOutcome.Done) return Redirect($"/pflege/angebote/{id}?meldung={message}");
        editor.Db.ChangeTracker.Clear();
        await LoadAsync(id.ToString(), ct);
        Form = ServiceForm.From(CatalogueEditor.ToInput(Service!, await editor.TermsAsync(ct)));
        Errors["_"] = [r.Detail ?? "Die Aktion ist nicht möglich."];
        Response.StatusCode = 409;
        return Page();
    }

    private async Task<bool> LoadAsync(string id, CancellationToken ct)
    {
        if (id != "neu")
        {
            if (ParseId(id) is not { } sid) return false;
            Service = await editor.ServicesWithDetails.Include(s => s.Organization).AsNoTracking().FirstOrDefaultAsync(s => s.Id == sid, ct);
            if (Service is null) return false;
            History = await CatalogueEditor.HistoryAsync(editor.Db.Database.GetDbConnection(), "service", sid, ct);
        }
        Organizations = (await editor.Db.Organizations.AsNoTracking().Where(o => o.Status != EntryStatus.Retired || (Service != null && o.Id == Service.OrganizationId))
            .OrderBy(o => o.Name).Select(o => new { o.Id, o.Name }).ToListAsync(ct)).Select(o => (o.Id, o.Name)).ToList();
        var terms = await editor.TermsAsync(ct);
        CategoryTerms = terms.All.Where(t => t.Taxonomy?.Code == TaxonomyCodes.PartnerKind).OrderBy(t => t.Name).ToList();
        TargetGroupTerms = terms.All.Where(t => t.Taxonomy?.Code == TaxonomyCodes.TargetGroup).OrderBy(t => t.Name).ToList();
        return true;
    }
}
