using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Pflege;

/// <summary>/pflege/begriffe: partner kinds and target groups (taxonomy terms) and the search synonyms.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class BegriffeModel(DirectoryDbContext db, SearchIndex index, TimeProvider time) : PageModel
{
    public List<TaxonomyTerm> Terms { get; private set; } = [];
    public List<SearchSynonym> Synonyms { get; private set; } = [];
    public string? Message { get; private set; }
    public List<string> Problems { get; private set; } = [];

    public async Task OnGetAsync(string? meldung, CancellationToken ct)
    {
        Message = meldung == "gespeichert" ? "Gespeichert." : null;
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostTermAsync(string? taxonomy, string? name, string? description, CancellationToken ct)
        => await Done(await VocabularyEndpoints.SaveTermAsync(db, index, time, null, new TermInput(taxonomy, null, name, description, null), ct), ct);

    public async Task<IActionResult> OnPostSynonymAsync(string? term, string? expansions, CancellationToken ct)
        => await Done(await VocabularyEndpoints.SaveSynonymAsync(db, index, time, null,
            new SynonymInput(term, (expansions ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(), null), User.CurrentUser(), ct), ct);

    public async Task<IActionResult> OnPostDeleteSynonymAsync(Guid id, CancellationToken ct)
    {
        await db.SearchSynonyms.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
        return Redirect("/pflege/begriffe?meldung=gespeichert");
    }

    private async Task<IActionResult> Done(CommandResult r, CancellationToken ct)
    {
        if (r.Outcome == CommandOutcome.Done) return Redirect("/pflege/begriffe?meldung=gespeichert");
        db.ChangeTracker.Clear();
        Problems = r.Errors?.Messages.ToList() ?? [r.Detail ?? "Nicht gespeichert."];
        Response.StatusCode = 400;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Terms = await db.TaxonomyTerms.AsNoTracking().Include(t => t.Taxonomy).OrderBy(t => t.Taxonomy!.Code).ThenBy(t => t.Name).ToListAsync(ct);
        Synonyms = await db.SearchSynonyms.AsNoTracking().OrderBy(s => s.Term).ToListAsync(ct);
    }
}
