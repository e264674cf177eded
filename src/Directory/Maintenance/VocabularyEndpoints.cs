using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Directory.Maintenance;

public sealed record TermInput(string? Taxonomy, string? Code, string? Name, string? Description, string? TermGroup);
public sealed record SynonymInput(string? Term, List<string>? Expansions, string? Note);

/// <summary>Coordinators extend the taxonomy (partner kinds, target groups) and the search synonyms.</summary>
public static partial class VocabularyEndpoints
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{1,60}$")]
    private static partial Regex CodePattern();

    public static IEndpointRouteBuilder MapVocabulary(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/directory").RequireAuthorization(Policies.Coordination).WithTags("Katalogpflege");
        g.MapGet("/taxonomy-terms", async (DirectoryDbContext db, CancellationToken ct) => Results.Ok(await db.TaxonomyTerms.AsNoTracking()
            .OrderBy(t => t.Taxonomy!.Code).ThenBy(t => t.SortOrder).ThenBy(t => t.Name)
            .Select(t => new { t.Id, Taxonomy = t.Taxonomy!.Code, t.Code, t.Name, t.Description, t.TermGroup }).ToListAsync(ct)));
        g.MapPost("/taxonomy-terms", async (TermInput input, DirectoryDbContext db, SearchIndex index, TimeProvider time, CancellationToken ct) =>
        {
            var r = await SaveTermAsync(db, index, time, null, input, ct);
            return r.Outcome == CommandOutcome.Done ? Results.Created($"/api/directory/taxonomy-terms/{r.Id}", new { id = r.Id }) : MaintenanceEndpoints.ToResult(r);
        });
        g.MapPut("/taxonomy-terms/{id:guid}", async (Guid id, TermInput input, DirectoryDbContext db, SearchIndex index, TimeProvider time, CancellationToken ct)
            => MaintenanceEndpoints.ToResult(await SaveTermAsync(db, index, time, id, input, ct)));

        g.MapGet("/synonyms", async (DirectoryDbContext db, CancellationToken ct)
            => Results.Ok(await db.SearchSynonyms.AsNoTracking().OrderBy(s => s.Term).ToListAsync(ct)));
        g.MapPost("/synonyms", async (SynonymInput input, DirectoryDbContext db, SearchIndex index, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            var r = await SaveSynonymAsync(db, index, time, null, input, http.User.CurrentUser(), ct);
            return r.Outcome == CommandOutcome.Done ? Results.Created($"/api/directory/synonyms/{r.Id}", new { id = r.Id }) : MaintenanceEndpoints.ToResult(r);
        });
        g.MapPut("/synonyms/{id:guid}", async (Guid id, SynonymInput input, DirectoryDbContext db, SearchIndex index, TimeProvider time, HttpContext http, CancellationToken ct)
            => MaintenanceEndpoints.ToResult(await SaveSynonymAsync(db, index, time, id, input, http.User.CurrentUser(), ct)));
        g.MapDelete("/synonyms/{id:guid}", async (Guid id, DirectoryDbContext db, CancellationToken ct)
            => await db.SearchSynonyms.Where(s => s.Id == id).ExecuteDeleteAsync(ct) == 0 ? Problems.NotFound() : Results.NoContent());
        return app;
    }

    public static async Task<CommandResult> SaveTermAsync(DirectoryDbContext db, SearchIndex index, TimeProvider time, Guid? id, TermInput input, CancellationToken ct)
    {
        var e = new FieldErrors();
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > EntryRules.MaxName) e.Add("name", "Bitte geben Sie einen Namen (höchstens 300 Zeichen) an.");
        if (input.Description is { Length: > EntryRules.MaxText }) e.Add("description", "Die Beschreibung ist zu lang.");
        TaxonomyTerm? term = null;
        if (id is { } existing)
        {
            term = await db.TaxonomyTerms.FirstOrDefaultAsync(t => t.Id == existing, ct);
            if (term is null) return CommandResult.NotFound;
        }
        else
        {
            var taxonomy = await db.Taxonomies.FirstOrDefaultAsync(t => t.Code == input.Taxonomy, ct);
            if (taxonomy is null) e.Add("taxonomy", "Bitte wählen Sie die Taxonomie (partnerart oder zielgruppe).");
            var code = string.IsNullOrWhiteSpace(input.Code) ? Slug(input.Name ?? "") : input.Code.Trim();
            if (!CodePattern().IsMatch(code)) e.Add("code", "Der Code darf nur Kleinbuchstaben, Ziffern, - und _ enthalten.");
            else if (taxonomy is not null && await db.TaxonomyTerms.AnyAsync(t => t.TaxonomyId == taxonomy.Id && t.Code == code, ct)) e.Add("code", "Diesen Code gibt es in der Taxonomie bereits.");
            if (e.Any) return CommandResult.Invalid(e);
            term = new TaxonomyTerm { Id = Guid.NewGuid(), TaxonomyId = taxonomy!.Id, Code = code, SortOrder = 1000 };
            db.TaxonomyTerms.Add(term);
        }
        if (e.Any) return CommandResult.Invalid(e);
        term.Name = input.Name!.Trim();
        term.Description = input.Description?.Trim() ?? "";
        term.TermGroup = string.IsNullOrWhiteSpace(input.TermGroup) ? term.TermGroup : input.TermGroup.Trim();
        term.ModifiedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        // Category names are part of the search documents and the typo vocabulary.
        var services = await db.ServiceTaxonomyTerms.Where(t => t.TaxonomyTermId == term.Id).Select(t => t.ServiceId).ToListAsync(ct);
        await index.RefreshAsync(services, ct);
        await index.RefreshVocabularyAsync(ct);
        return new CommandResult(CommandOutcome.Done, term.Id);
    }

    public static async Task<CommandResult> SaveSynonymAsync(DirectoryDbContext db, SearchIndex index, TimeProvider time, Guid? id, SynonymInput input, CurrentUser user, CancellationToken ct)
    {
        var e = new FieldErrors();
        var expansions = (input.Expansions ?? []).Select(x => x.Trim()).Where(x => x.Length > 0).Distinct().ToArray();
        if (string.IsNullOrWhiteSpace(input.Term) || input.Term.Length > 100) e.Add("term", "Bitte geben Sie den Suchbegriff an (höchstens 100 Zeichen).");
        if (expansions.Length == 0) e.Add("expansions", "Bitte geben Sie mindestens eine Bedeutung an.");
        if (expansions.Any(x => x.Length > 200)) e.Add("expansions", "Eine Bedeutung darf höchstens 200 Zeichen lang sein.");
        if (e.Any) return CommandResult.Invalid(e);
        var folded = TermCatalogue.Fold(input.Term!);
        var clash = (await db.SearchSynonyms.AsNoTracking().Select(s => new { s.Id, s.Term }).ToListAsync(ct))
            .Any(s => s.Id != id && TermCatalogue.Fold(s.Term) == folded);
        if (clash) { e.Add("term", "Für diesen Suchbegriff gibt es bereits einen Eintrag."); return CommandResult.Invalid(e); }
        SearchSynonym? synonym;
        if (id is { } existing)
        {
            synonym = await db.SearchSynonyms.FirstOrDefaultAsync(s => s.Id == existing, ct);
            if (synonym is null) return CommandResult.NotFound;
        }
        else db.SearchSynonyms.Add(synonym = new SearchSynonym { Id = Guid.NewGuid() });
        synonym.Term = input.Term!.Trim();
        synonym.Expansions = expansions;
        synonym.Note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim();
        synonym.ModifiedAt = time.GetUtcNow();
        synonym.ModifiedBy = user.Name;
        await db.SaveChangesAsync(ct);
        await index.RefreshVocabularyAsync(ct);
        return new CommandResult(CommandOutcome.Done, synonym.Id);
    }

    private static string Slug(string name) => Regex.Replace(TermCatalogue.Fold(name), "[^a-z0-9]+", "-").Trim('-');
}
