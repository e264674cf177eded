using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Directory.Partner;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Pflege;

/// <summary>/pflege/vorschlaege: partners' proposed changes; accept (applied with history) or reject with a reason.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class VorschlaegeModel(CatalogueEditor editor) : PageModel
{
    public List<ProposalView> Pending { get; private set; } = [];
    public List<ProposalView> Decided { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Problem { get; private set; }

    public async Task OnGetAsync(string? meldung, CancellationToken ct)
    {
        Message = meldung switch { "angenommen" => "Der Vorschlag wurde übernommen.", "abgelehnt" => "Der Vorschlag wurde abgelehnt.", _ => null };
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAcceptAsync(Guid id, CancellationToken ct)
        => await Decide(await PartnerListing.DecideAsync(editor, id, accept: true, null, User.CurrentUser(), ct), "angenommen", ct);

    public async Task<IActionResult> OnPostRejectAsync(Guid id, string? reason, CancellationToken ct)
        => await Decide(await PartnerListing.DecideAsync(editor, id, accept: false, reason, User.CurrentUser(), ct), "abgelehnt", ct);

    private async Task<IActionResult> Decide(CommandResult r, string message, CancellationToken ct)
    {
        if (r.Outcome == CommandOutcome.NotFound) return NotFound();
        if (r.Outcome == CommandOutcome.Done) return Redirect($"/pflege/vorschlaege?meldung={message}");
        editor.Db.ChangeTracker.Clear();
        Problem = r.Detail ?? string.Join(" ", r.Errors?.Messages ?? []);
        Response.StatusCode = r.Outcome == CommandOutcome.Conflict ? 409 : 400;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Pending = await PartnerListing.ListAsync(editor, "pending", null, ct);
        Decided = (await PartnerListing.ListAsync(editor, null, null, ct)).Where(p => p.Status != "pending").Take(30).ToList();
    }
}
