using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Directory.Verification;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Pflege.Pruefaktionen;

/// <summary>/pflege/pruefaktionen/{id}: where the campaign stands, the partners' changes to decide, who to call.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class AktionModel(Campaigns campaigns, CatalogueEditor editor) : PageModel
{
    public CampaignView Campaign { get; private set; } = null!;
    public string? Message { get; private set; }
    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string? meldung, CancellationToken ct)
    {
        Message = meldung switch
        {
            "gesendet" => "Die Prüfaktion ist angelegt; die E-Mails werden versandt.",
            "entschieden" => "Die Entscheidung ist gespeichert; der Eintrag gilt als geprüft.",
            "telefonisch" => "Die Einträge des Partners gelten als telefonisch bestätigt.",
            _ => null,
        };
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostReviewAsync(Guid id, Guid serviceId, List<string>? fields, CancellationToken ct)
    {
        var r = await campaigns.ReviewAsync(id, serviceId, new ReviewInput(fields ?? []), User.CurrentUser(), ct);
        if (r.Outcome == CommandOutcome.Done) return Redirect($"/pflege/pruefaktionen/{id}?meldung=entschieden");
        if (r.Outcome == CommandOutcome.NotFound) return NotFound();
        editor.Db.ChangeTracker.Clear();
        Problem = r.Detail ?? string.Join(" ", r.Errors?.Messages ?? []);
        Response.StatusCode = r.Outcome == CommandOutcome.Conflict ? 409 : 400;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostPhoneAsync(Guid id, Guid requestId, CancellationToken ct)
    {
        var r = await campaigns.ConfirmByPhoneAsync(id, requestId, User.CurrentUser(), ct);
        if (r.Outcome == CommandOutcome.Done) return Redirect($"/pflege/pruefaktionen/{id}?meldung=telefonisch");
        if (r.Outcome == CommandOutcome.NotFound) return NotFound();
        editor.Db.ChangeTracker.Clear();
        Problem = r.Detail;
        Response.StatusCode = 409;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var c = await campaigns.GetAsync(id, ct);
        if (c is null) return false;
        Campaign = c;
        return true;
    }

    public static string When(DateTime? t) => t is { } v ? TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)), Netzwerk.Platform.Time.GermanTime.Berlin).ToString("dd.MM.yyyy HH:mm") : "–";
}
