using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Routes;

namespace Netzwerk.Referrals.Pages.Wege;

/// <summary>/wege/bearbeiten?art=…: edit a referral route; saving creates a new version.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class BearbeitenModel(ReferralsDb db, TimeProvider clock, AuditLog audit) : PageModel
{
    public ReferralRoute? Current { get; private set; }

    [BindProperty] public string? CategoryCode { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string[] RequiredCategories { get; set; } = [];
    [BindProperty] public string? ResponseWorkingDays { get; set; }
    [BindProperty] public string? Reminders { get; set; }
    [BindProperty] public string? EscalationWorkingDays { get; set; }
    [BindProperty] public string? EscalationTarget { get; set; }
    [BindProperty] public string? DefaultFeedbackLevel { get; set; }
    [BindProperty] public string? ForwardingAllowed { get; set; }

    private static readonly Dictionary<string, string> Fields = new()
    {
        ["reminderWorkingDays"] = nameof(Reminders),
    };

    public async Task OnGetAsync(string? art, CancellationToken ct)
    {
        Current = await LatestAsync(art, ct);
        if (Current is null)
        {
            CategoryCode = art;
            ResponseWorkingDays = "5"; Reminders = "3"; EscalationWorkingDays = "10";
            EscalationTarget = Roles.TeamLead; DefaultFeedbackLevel = FeedbackLevels.Attendance;
            RequiredCategories = [DataCategories.Contact];
            return;
        }
        CategoryCode = Current.CategoryCode;
        Name = Current.Name;
        RequiredCategories = Current.RequiredCategories;
        ResponseWorkingDays = Current.ResponseWorkingDays.ToString();
        Reminders = string.Join(", ", Current.ReminderWorkingDays);
        EscalationWorkingDays = Current.EscalationWorkingDays.ToString();
        EscalationTarget = Current.EscalationTarget;
        DefaultFeedbackLevel = Current.DefaultFeedbackLevel;
        ForwardingAllowed = Current.ForwardingAllowed ? "true" : null;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var response = Number(ResponseWorkingDays, nameof(ResponseWorkingDays), "Die Antwortfrist");
        var escalation = Number(EscalationWorkingDays, nameof(EscalationWorkingDays), "Die Eskalation");
        var reminders = new List<int>();
        foreach (var part in (Reminders ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, out var n)) reminders.Add(n);
            else { ModelState.AddModelError(nameof(Reminders), "Erinnerungen als Zahlen von Arbeitstagen, durch Komma getrennt (z. B. 3, 7)."); break; }
        }
        Current = await LatestAsync(CategoryCode, ct);
        if (!ModelState.IsValid) return Page();

        ReferralRoute? created = null;
        var ok = await this.TryAsync(async () => created = await RouteCatalogue.PutAsync(db, clock, User, new RouteCatalogue.PutRequest(
            CategoryCode?.Trim(), Name, RequiredCategories, response!.Value, reminders.ToArray(), escalation!.Value, EscalationTarget,
            DefaultFeedbackLevel, ForwardingAllowed == "true"), ct), Fields);
        if (!ok) return Page();
        await audit.RecordAsync(new AuditEvent("route.version", "route", $"{created!.CategoryCode}/{created.Version}"), ct);
        TempData["Message"] = $"Der Verweisungsweg „{created.Name}“ ist als Version {created.Version} gespeichert. Laufende Verweisungen behalten ihre Version.";
        return Redirect("/wege");
    }

    private int? Number(string? value, string field, string what)
    {
        if (int.TryParse(value, out var n)) return n;
        ModelState.AddModelError(field, $"{what} bitte als ganze Zahl von Arbeitstagen angeben.");
        return null;
    }

    private async Task<ReferralRoute?> LatestAsync(string? code, CancellationToken ct) => string.IsNullOrWhiteSpace(code) ? null
        : await db.Routes.AsNoTracking().Where(r => r.CategoryCode == code).OrderByDescending(r => r.Version).FirstOrDefaultAsync(ct);
}
