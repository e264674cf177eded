using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Routes;

namespace Netzwerk.Referrals.Pages.Wege;

/// <summary>/wege/weg?weg=…[&amp;version=…]: one route — its picture, its steps as text and its version history.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class WegModel(ReferralsDb db, IServiceLookup lookup) : PageModel
{
    public ReferralRoute Route { get; private set; } = null!;
    public IReadOnlyList<ReferralRoute> Versions { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public IReadOnlyList<RoutePicture.Stage> Stages { get; private set; } = [];
    /// <summary>Open referrals on older versions (shown on the latest version's page, where they can be moved).</summary>
    public IReadOnlyList<MoveToVersion.RunningReferral> Running { get; private set; } = [];
    public bool IsCurrent => Route.Version == Versions[0].Version;

    public async Task<IActionResult> OnGetAsync(string? weg, int? version, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(weg)) return NotFound();
        Versions = await db.Routes.AsNoTracking().Where(r => r.CategoryCode == weg).OrderByDescending(r => r.Version).ToListAsync(ct);
        if (Versions.Count == 0) return NotFound();
        Route = version is { } v ? Versions.FirstOrDefault(r => r.Version == v) ?? Versions[0] : Versions[0];
        if (version is not null && Route.Version != version) return NotFound();
        Stages = RoutePicture.Facts(Route);
        Names = await IndexModel.ScopeNamesAsync(lookup, [Route], ct);
        if (IsCurrent && Versions.Count > 1) Running = await MoveToVersion.RunningAsync(db, lookup, Route.Key, ct);
        return Page();
    }

    public static string Parameters(RouteStep step) => step switch
    {
        ConsentStep c => $"Datenkategorien: {string.Join(", ", c.RequiredCategories.Select(Pages.Ui.Category))}; Rückmeldung: {Pages.Ui.Level(c.DefaultFeedbackLevel)}",
        ApprovalStep => "vor dem Senden",
        IntakeStep q => string.Join("; ", q.Questions.Select(x => $"{x.Text} ({Pages.Ui.Category(x.Category)}{(x.Required ? ", Pflicht" : "")})")),
        ResponseStep r => $"Antwort in {r.ResponseWorkingDays} Arbeitstagen; Erinnerungen: {(r.ReminderWorkingDays.Length == 0 ? "keine" : "nach " + string.Join(", ", r.ReminderWorkingDays))}; Eskalation nach {r.EscalationWorkingDays} an {RoutePicture.Target(r.EscalationTarget)}",
        AppointmentStep a => $"innerhalb von {a.WithinWorkingDays} Arbeitstagen nach der Annahme",
        AttendanceStep t => $"{t.WorkingDaysAfterAppointment} Arbeitstage nach dem Termin",
        ProgressStep p => $"alle {p.EveryWeeks} Wochen",
        GoalReviewStep g => $"alle {g.EveryMonths} Monate",
        CloseProposalStep x => $"nach {x.AfterWorkingDaysWithoutNews} Arbeitstagen ohne Nachricht",
        ForwardingStep => "erlaubt",
        PartnerPromptsStep m => string.Join(", ", new[] { (m.Reminder, "Erinnerung"), (m.Overdue, "Fristablauf"), (m.Attendance, "Teilnahme zurückmelden"),
            (m.EndNotice, "Ende der Verweisung"), (m.Progress, $"Zwischenstand alle {m.ProgressEveryWeeks} Wochen") }.Where(x => x.Item1).Select(x => x.Item2).DefaultIfEmpty("keine")),
        _ => "",
    };
}
