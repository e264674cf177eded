using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Directory.Partner;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Partner;

/// <summary>
/// /partner/angebote: a partner keeps free places, waiting time and opening hours of its own services current;
/// other changes go to the coordinators as a proposal.
/// </summary>
[Authorize(Policy = Policies.Partner)]
public sealed class AngeboteModel(CatalogueEditor editor, Netzwerk.Directory.Verification.Campaigns campaigns) : PageModel
{
    public List<Service> Services { get; private set; } = [];
    public List<ProposalView> OpenProposals { get; private set; } = [];
    public string? Message { get; private set; }
    public Guid? ProblemService { get; private set; }
    /// <summary>The refused update's messages, each with the id of the field it belongs to (null: the entry as a whole).</summary>
    public List<(string? Field, string Message)> Problems { get; private set; } = [];

    /// <summary>The message next to a field and its id; null when the field is fine.</summary>
    public (string Id, string Text)? ErrorFor(Guid service, string field)
    {
        if (ProblemService != service) return null;
        var messages = Problems.Where(p => p.Field == field).Select(p => p.Message).ToList();
        return messages.Count == 0 ? null : ($"{field}-{service}-error", string.Join(" ", messages));
    }

    public async Task OnGetAsync(string? meldung, CancellationToken ct)
    {
        Message = meldung switch { "aktualisiert" => "Die Angaben wurden aktualisiert.", "vorgeschlagen" => "Ihr Vorschlag wurde an die Netzwerkkoordination gesendet.", "bestaetigt" => "Danke – das Angebot gilt als geprüft.", _ => null };
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAvailabilityAsync(Guid id, int? capacityFree, int? waitingDays, string? openingHours, CancellationToken ct)
    {
        var hours = OpeningHoursText.Parse(openingHours, out var hourErrors);
        if (hourErrors.Count > 0) return await Fail(id, hourErrors.Select(e => ((string?)"hours", e)).ToList(), ct);
        var r = await PartnerListing.UpdateAvailabilityAsync(editor, id, new AvailabilityInput(capacityFree, waitingDays, hours), User.CurrentUser(), ct);
        return r.Outcome switch
        {
            CommandOutcome.Done => Redirect("/partner/angebote?meldung=aktualisiert"),
            CommandOutcome.NotFound => NotFound(),
            _ => await Fail(id, FieldsOf(r, "Nicht gespeichert."), ct),
        };
    }

    public async Task<IActionResult> OnPostProposalAsync(Guid id, string? description, string? phone, string? email, string? url, string? note, CancellationToken ct)
    {
        var changes = new ServiceInput
        {
            Description = Blank(description), Email = Blank(email), Url = Blank(url),
            Phones = Blank(phone) is { } p ? [new PhoneInput(p)] : null,
        };
        var r = await PartnerListing.ProposeAsync(editor, id, new ProposalInput(changes, note), User.CurrentUser(), ct);
        return r.Outcome switch
        {
            CommandOutcome.Done => Redirect("/partner/angebote?meldung=vorgeschlagen"),
            CommandOutcome.NotFound => NotFound(),
            _ => await Fail(id, FieldsOf(r, "Der Vorschlag wurde nicht gesendet."), ct),
        };
    }

    /// <summary>"Alles stimmt": the entry is verified by this partner through the portal (and any open campaign request for it is answered).</summary>
    public async Task<IActionResult> OnPostConfirmAsync(Guid id, CancellationToken ct)
    {
        var r = await campaigns.ConfirmInPortalAsync(id, User.CurrentUser(), ct);
        return r.Outcome == CommandOutcome.Done ? Redirect("/partner/angebote?meldung=bestaetigt") : NotFound();
    }

    /// <summary>A time as the partner reads it: Berlin wall-clock time, whatever the server's zone.</summary>
    public static string? Berlin(DateTimeOffset? at, string format)
        => at is { } t ? TimeZoneInfo.ConvertTime(t, Netzwerk.Platform.Time.GermanTime.Berlin).ToString(format, System.Globalization.CultureInfo.GetCultureInfo("de-DE")) : null;

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>The field ids of this page for the API's field names (the inputs are named per service: cap-{id}, …).</summary>
    private static List<(string?, string)> FieldsOf(CommandResult r, string fallback)
    {
        if (r.Errors is null) return [(null, r.Detail ?? fallback)];
        return r.Errors.ToDictionary().SelectMany(e => e.Value.Select(m => (FieldId(e.Key), m))).ToList();
    }

    private static string? FieldId(string apiField) => apiField switch
    {
        "capacityFree" => "cap", "waitingDays" => "wait", "openingHours" => "hours", "description" => "desc",
        "phone" => "phone", "email" => "email", "url" or "website" => "url", "note" => "note", _ => null,
    };

    private async Task<IActionResult> Fail(Guid id, List<(string?, string)> problems, CancellationToken ct)
    {
        editor.Db.ChangeTracker.Clear();
        (ProblemService, Problems) = (id, problems);
        Response.StatusCode = 400;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var org = User.CurrentUser().OrganizationId;
        Services = await editor.ServicesWithDetails.AsNoTracking().Where(s => s.OrganizationId == org).OrderBy(s => s.Name).ToListAsync(ct);
        OpenProposals = (await PartnerListing.ListAsync(editor, "pending", null, ct)).Where(p => Services.Any(s => s.Id == p.ServiceId)).ToList();
    }
}
