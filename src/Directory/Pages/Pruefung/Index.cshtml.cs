using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Directory.Verification;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Pruefung;

/// <summary>
/// /pruefung/{token}: the partner's single-purpose link from a verification campaign. No sign-in: the token opens this
/// organisation's entries in this campaign and nothing else. Fields shown filled in; what the partner leaves as it is
/// counts as confirmed ("unverändert"), what it changes goes to the coordination.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimitPolicies.AccessLink)]
public sealed class IndexModel(Campaigns campaigns) : PageModel
{
    public LinkView? View { get; private set; }
    public bool Sent { get; private set; }
    public Dictionary<string, string> Errors { get; } = new();

    public async Task<IActionResult> OnGetAsync(string token, bool gesendet, CancellationToken ct)
    {
        Sent = gesendet;
        View = await campaigns.OpenAsync(token, ct);
        if (View is null) Response.StatusCode = 404;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        View = await campaigns.OpenAsync(token, ct);
        if (View is null) { Response.StatusCode = 404; return Page(); }
        var answers = new List<EntryAnswer>();
        foreach (var e in View.Entries.Where(e => !e.Reviewed))
        {
            // Browsers send line breaks of text areas as CR LF; the catalogue stores LF.
            string? F(string name) => Request.Form[$"{name}-{e.ServiceId:N}"].ToString().Replace("\r\n", "\n") is { Length: > 0 } v ? v.Trim() : null;
            var c = e.Current;
            var changes = new ServiceInput();
            bool Differs(string? a, string? b) => (string.IsNullOrWhiteSpace(a) ? null : a.Trim()) != (string.IsNullOrWhiteSpace(b) ? null : b.Trim());
            if (Differs(F("beschreibung"), c.Description)) changes = changes with { Description = F("beschreibung") ?? "" };
            if (Differs(F("voraussetzungen"), c.EligibilityDescription)) changes = changes with { EligibilityDescription = F("voraussetzungen") ?? "" };
            var hoursText = F("oeffnungszeiten");
            if (Differs(hoursText, c.OpeningHours is null ? null : OpeningHoursText.Format(c.OpeningHours)))
            {
                var hours = OpeningHoursText.Parse(hoursText, out var hourErrors);
                if (hourErrors.Count > 0) Errors[$"oeffnungszeiten-{e.ServiceId:N}"] = string.Join(" ", hourErrors);
                else changes = changes with { OpeningHours = hours };
            }
            var languages = (F("sprachen") ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.ToLowerInvariant()).Order().ToList();
            if (string.Join(",", languages) != string.Join(",", (c.Languages ?? []).Order())) changes = changes with { Languages = languages };
            var stepFree = Request.Form[$"barrierefrei-{e.ServiceId:N}"].Count > 0;
            if (Differs(F("strasse"), c.Location?.Address1) || Differs(F("plz"), c.Location?.PostalCode) || Differs(F("ort"), c.Location?.City)
                || (c.Location is not null && stepFree != c.Location.StepFree) || (c.Location is null && stepFree))
                changes = changes with
                {
                    Location = (c.Location ?? new LocationInput()) with { Address1 = F("strasse"), PostalCode = F("plz"), City = F("ort"), StepFree = stepFree },
                };
            int? Number(string name, string label)
            {
                var v = F(name);
                if (v is null) return null;
                if (int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 3650) return n;
                Errors[$"{name}-{e.ServiceId:N}"] = $"„{label}“ muss eine ganze Zahl ab 0 sein.";
                return null;
            }
            var places = Number("plaetze", "Freie Plätze");
            var waiting = Number("wartezeit", "Wartezeit (Tage)");
            if (places is not null && places != c.CapacityFree) changes = changes with { CapacityFree = places };
            if (waiting is not null && waiting != c.WaitingDays) changes = changes with { WaitingDays = waiting };
            var changed = Campaigns.Diff(c, Netzwerk.Directory.Partner.PartnerListing.Merge(c, changes)).Count > 0;
            answers.Add(new EntryAnswer(e.ServiceId, !changed, changed ? changes : null, F("hinweis")));
        }
        if (Errors.Count > 0) { Response.StatusCode = 400; return Page(); }
        var r = await campaigns.AnswerAsync(token, answers, ct);
        if (r.Outcome == CommandOutcome.NotFound) { View = null; Response.StatusCode = 404; return Page(); }
        if (r.Outcome != CommandOutcome.Done)
        {
            foreach (var (k, v) in r.Errors?.ToDictionary() ?? new Dictionary<string, string[]>()) Errors[k] = string.Join(" ", v);
            Response.StatusCode = 400;
            return Page();
        }
        return Redirect($"/pruefung/{Uri.EscapeDataString(token)}?gesendet=true");
    }

    public string? Error(string name, Guid id) => Errors.GetValueOrDefault($"{name}-{id:N}");
}
