using System.Globalization;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;

namespace Netzwerk.Referrals.Routes;

/// <summary>
/// Plans moving one running referral from its route version to another, without running a step twice or losing or
/// duplicating a timer: an open timer whose step and parameters are unchanged is kept as it is (same id, same due time);
/// one whose parameters changed is rescheduled from its step's anchor; one whose step is gone (or does not apply in the
/// referral's state) is cancelled; a timer of a new step that applies now is added. A timer the old version had but that
/// is no longer open has fired (or ended) already and is not added again. Pure: the caller loads the referral and its
/// open timers and executes the plan against the deadline table, in one transaction.
/// </summary>
public static class RouteMigration
{
    /// <summary>What the plan needs to know of the referral (Draft, Requested, Accepted, InProgress, OnHold).</summary>
    public sealed record Snapshot(string State, DateTimeOffset? SentAt, DateTimeOffset? AcceptedAt, DateTimeOffset? AppointmentAt,
        DateTimeOffset? LastNewsAt, DateTimeOffset? LastProgressAt);

    public sealed record OpenTimer(Guid Id, string Kind, DateTimeOffset DueAt, string? Detail);

    public sealed record NewTimer(string Kind, DateTimeOffset DueAt, string? Detail);

    public sealed record Kept(OpenTimer Timer, string Sentence);
    public sealed record Cancelled(OpenTimer Timer, string Sentence);
    public sealed record Rescheduled(OpenTimer Timer, NewTimer To, string Sentence);
    public sealed record Added(NewTimer Timer, string Sentence);
    public sealed record NotRerun(string StepKind, string Sentence);

    public sealed record Plan(IReadOnlyList<Kept> Keep, IReadOnlyList<Cancelled> Cancel, IReadOnlyList<Rescheduled> Reschedule,
        IReadOnlyList<Added> Add, IReadOnlyList<NotRerun> NotRerun)
    {
        /// <summary>The preview, one German sentence per change.</summary>
        public IEnumerable<string> Sentences => Keep.Select(x => x.Sentence).Concat(Cancel.Select(x => x.Sentence))
            .Concat(Reschedule.Select(x => x.Sentence)).Concat(Add.Select(x => x.Sentence)).Concat(NotRerun.Select(x => x.Sentence));
    }

    /// <summary>A timer a route version wants for the referral: its kind, the parameter it depends on, and when it is due.</summary>
    private sealed record Wanted(string Kind, string Parameter, DateTimeOffset DueAt, string? Detail, string Text);

    public static Plan For(ReferralRoute from, ReferralRoute to, Snapshot referral, IReadOnlyList<OpenTimer> open, DateTimeOffset now)
    {
        var keep = new List<Kept>();
        var cancel = new List<Cancelled>();
        var reschedule = new List<Rescheduled>();
        var add = new List<Added>();
        var oldWanted = Wants(from, referral);
        var newWanted = Wants(to, referral);
        var claimed = new HashSet<Wanted>();

        foreach (var timer in open)
        {
            if (timer.Kind == DeadlineKinds.ConsentExpiry)
            {
                keep.Add(new(timer, $"Das Ende der Einwilligung ({Date(timer.DueAt)}) bleibt; ein Wegwechsel ändert es nie."));
                continue;
            }
            var was = oldWanted.FirstOrDefault(w => w.Kind == timer.Kind && w.DueAt == timer.DueAt)
                      ?? (timer.Kind == DeadlineKinds.Reminder ? null : oldWanted.FirstOrDefault(w => w.Kind == timer.Kind));
            var candidates = newWanted.Where(w => w.Kind == timer.Kind && !claimed.Contains(w)).ToList();
            var same = was is null ? candidates.FirstOrDefault(w => w.DueAt == timer.DueAt)
                : candidates.FirstOrDefault(w => w.Parameter == was.Parameter && w.Detail == was.Detail);
            if (same is not null)
            {
                claimed.Add(same);
                keep.Add(new(timer, $"{Capital(same.Text)} bleibt unverändert ({Date(timer.DueAt)})."));
                continue;
            }
            // A changed parameter: the timer moves. (A reminder moves only to a day the old version did not have: that one has run.)
            var changed = candidates.FirstOrDefault(w => timer.Kind != DeadlineKinds.Reminder
                                                         || !oldWanted.Any(o => o.Kind == w.Kind && o.Parameter == w.Parameter));
            if (changed is not null)
            {
                claimed.Add(changed);
                var due = changed.DueAt < now ? now : changed.DueAt;
                reschedule.Add(new(timer, new NewTimer(changed.Kind, due, changed.Detail),
                    $"{Capital(changed.Text)}: neu fällig {(due == now ? "sofort (der neue Termin ist schon vorbei)" : Date(due))} statt {Date(timer.DueAt)}."));
                continue;
            }
            var step = StepOf(timer.Kind);
            var why = !Applies(timer.Kind, referral) ? "sie gilt im jetzigen Stand der Verweisung nicht"
                : to.Steps.Any(x => x.Kind == step) ? $"Version {to.Version} sieht sie nicht mehr vor"
                : $"Version {to.Version} enthält den Schritt „{StepKinds.Label(step)}“ nicht mehr";
            cancel.Add(new(timer, $"{Capital(was?.Text ?? Describe(timer.Kind))} ({Date(timer.DueAt)}) entfällt: {why}."));
        }

        foreach (var wanted in newWanted.Where(w => !claimed.Contains(w)))
        {
            // The old version wanted the same timer and it is no longer open: it has fired already. Adding it would run the step twice.
            if (oldWanted.Any(o => o.Kind == wanted.Kind && o.Parameter == wanted.Parameter)) continue;
            var due = wanted.DueAt < now ? now : wanted.DueAt;
            add.Add(new(new NewTimer(wanted.Kind, due, wanted.Detail),
                $"Neu: {wanted.Text}, fällig {(due == now ? "sofort (der Termin ist schon vorbei)" : Date(due))}."));
        }

        return new Plan(keep, cancel, reschedule, add, NotRerunSteps(from, to, referral));
    }

    /// <summary>
    /// The timers a version wants for the referral in its current state, due from each step's anchor. A recurring timer's
    /// detail is its interval (weeks for progress reports, months for goal reviews), as the machine writes it: the next round
    /// is computed from it.
    /// </summary>
    private static List<Wanted> Wants(ReferralRoute route, Snapshot r)
    {
        var wanted = new List<Wanted>();
        void Want(string kind, object parameter, DateTimeOffset? anchor, Func<DateTimeOffset, DateTimeOffset> due, string text, string? detail = null)
        {
            if (anchor is { } a && Applies(kind, r))
                wanted.Add(new(kind, Convert.ToString(parameter, CultureInfo.InvariantCulture)!, due(a), detail, text));
        }

        if (route.Response is { } response)
        {
            Want(DeadlineKinds.PartnerResponse, response.ResponseWorkingDays, r.SentAt, a => WorkingDays.Add(a, response.ResponseWorkingDays),
                $"die Antwortfrist des Partners ({response.ResponseWorkingDays} Arbeitstage)");
            foreach (var day in response.ReminderWorkingDays.Where(d => d < response.ResponseWorkingDays))
                Want(DeadlineKinds.Reminder, day, r.SentAt, a => WorkingDays.Add(a, day), $"die Erinnerung an den Partner nach {day} Arbeitstagen");
            Want(DeadlineKinds.Escalation, response.EscalationWorkingDays, r.SentAt, a => WorkingDays.Add(a, response.EscalationWorkingDays),
                $"die Eskalation an {RoutePicture.Target(response.EscalationTarget)} nach {response.EscalationWorkingDays} Arbeitstagen", response.EscalationTarget);
        }
        if (route.AppointmentWithinWorkingDays is { } within)
            Want(DeadlineKinds.AppointmentExpected, within, r.AcceptedAt, a => WorkingDays.Add(a, within), $"die Terminerwartung ({within} Arbeitstage nach der Annahme)");
        if (route.AttendanceWorkingDays is { } attendance)
            Want(DeadlineKinds.Attendance, attendance, r.AppointmentAt, a => WorkingDays.Add(a, attendance),
                $"die Teilnahmebestätigung ({attendance} Arbeitstage nach dem Termin)");
        if (route.Prompts.Attendance)
            Want(DeadlineKinds.AttendancePrompt, "on", r.AppointmentAt, ReferralStateMachine.AttendancePromptAt,
                "die E-Mail „Bitte Teilnahme zurückmelden“ an den Partner (Arbeitstag nach dem Termin)");
        if (route.ProgressEveryWeeks is { } weeks)
            Want(DeadlineKinds.ProgressReport, weeks, r.LastProgressAt ?? r.AcceptedAt, a => a.AddDays(7 * weeks), $"der Fortschrittsbericht (alle {weeks} Wochen)",
                Convert.ToString(weeks, CultureInfo.InvariantCulture));
        if (route.Prompts is { Progress: true, ProgressEveryWeeks: { } promptWeeks and > 0 })
            Want(DeadlineKinds.ProgressPrompt, promptWeeks, r.LastProgressAt ?? r.AcceptedAt, a => a.AddDays(7 * promptWeeks),
                $"die E-Mail „Bitte kurzen Zwischenstand melden“ an den Partner (alle {promptWeeks} Wochen)",
                Convert.ToString(promptWeeks, CultureInfo.InvariantCulture));
        if (route.GoalReviewEveryMonths is { } months)
            Want(DeadlineKinds.GoalReview, months, r.SentAt, a => a.AddMonths(months), $"die Zielüberprüfung am Kooperationsplan (alle {months} Monate)",
                Convert.ToString(months, CultureInfo.InvariantCulture));
        if (route.CloseProposalAfterWorkingDays is { } quiet)
            Want(DeadlineKinds.CloseProposal, quiet, r.LastNewsAt ?? r.SentAt, a => WorkingDays.Add(a, quiet), $"der Abschlussvorschlag nach {quiet} Arbeitstagen ohne Nachricht");
        return wanted;
    }

    /// <summary>Which timer kinds belong to which state (consent expiry is not the route's: never touched here).</summary>
    public static bool Applies(string kind, Snapshot r) => kind switch
    {
        DeadlineKinds.PartnerResponse or DeadlineKinds.Reminder or DeadlineKinds.Escalation => r.State == ReferralStatus.Requested,
        DeadlineKinds.AppointmentExpected => r.State == ReferralStatus.Accepted && r.AppointmentAt is null,
        DeadlineKinds.Attendance or DeadlineKinds.AttendancePrompt => r.State == ReferralStatus.Accepted && r.AppointmentAt is not null,
        DeadlineKinds.ProgressReport or DeadlineKinds.ProgressPrompt => r.State is ReferralStatus.Accepted or ReferralStatus.InProgress,
        DeadlineKinds.GoalReview or DeadlineKinds.CloseProposal =>
            r.State is ReferralStatus.Requested or ReferralStatus.Accepted or ReferralStatus.InProgress or ReferralStatus.OnHold,
        _ => false,
    };

    private static IReadOnlyList<NotRerun> NotRerunSteps(ReferralRoute from, ReferralRoute to, Snapshot r)
    {
        var result = new List<NotRerun>();
        if (r.State == ReferralStatus.Draft) return result; // nothing has run yet: every step of the new version applies from sending on
        if (to.Approval is not null && from.Approval is null)
            result.Add(new(StepKinds.Approval, "Die Freigabe durch die Teamleitung wird nicht nachgeholt: Die Verweisung ist bereits gesendet."));
        var oldQuestions = from.IntakeQuestions.Select(q => q.Id).ToHashSet();
        var newQuestions = to.IntakeQuestions.Where(q => !oldQuestions.Contains(q.Id)).ToList();
        if (newQuestions.Count > 0)
            result.Add(new(StepKinds.Intake, $"{(newQuestions.Count == 1 ? "Die neue Frage" : $"Die {newQuestions.Count} neuen Fragen")} zur Aufnahme "
                                             + $"({string.Join(", ", newQuestions.Select(q => $"„{q.Text}“"))}) {(newQuestions.Count == 1 ? "wird" : "werden")} nicht nachträglich gestellt: Die Verweisung ist bereits gesendet."));
        var newCategories = to.RequiredCategories.Except(from.RequiredCategories).ToList();
        if (newCategories.Count > 0)
            result.Add(new(StepKinds.Consent, $"Die Einwilligung wird nicht neu eingeholt; die zusätzlich verlangten Datenkategorien ({string.Join(", ", newCategories.Select(c => DataCategories.German.GetValueOrDefault(c, c)))}) gelten erst für neue Verweisungen."));
        if (to.DefaultFeedbackLevel != from.DefaultFeedbackLevel)
            result.Add(new(StepKinds.Consent, "Die Rückmeldestufe bleibt die der erteilten Einwilligung; die neue Standardstufe gilt erst für neue Verweisungen."));
        if (r.State != ReferralStatus.Requested && Changed(from.Response, to.Response))
            result.Add(new(StepKinds.Response, "Die geänderte Antwortfrist wirkt nicht mehr: Der Partner hat bereits geantwortet."));
        if (r.AppointmentAt is not null && from.AppointmentWithinWorkingDays != to.AppointmentWithinWorkingDays)
            result.Add(new(StepKinds.Appointment, "Die geänderte Terminerwartung wirkt nicht mehr: Ein Termin steht bereits fest."));
        return result;
    }

    private static bool Changed(ResponseStep? a, ResponseStep? b) => a is null != b is null || a is not null && b is not null &&
        (a.ResponseWorkingDays != b.ResponseWorkingDays || !a.ReminderWorkingDays.SequenceEqual(b.ReminderWorkingDays)
         || a.EscalationWorkingDays != b.EscalationWorkingDays || a.EscalationTarget != b.EscalationTarget);

    private static string StepOf(string timerKind) => timerKind switch
    {
        DeadlineKinds.PartnerResponse or DeadlineKinds.Reminder or DeadlineKinds.Escalation => StepKinds.Response,
        DeadlineKinds.AppointmentExpected => StepKinds.Appointment,
        DeadlineKinds.Attendance => StepKinds.Attendance,
        DeadlineKinds.AttendancePrompt or DeadlineKinds.ProgressPrompt => StepKinds.PartnerPrompts,
        DeadlineKinds.ProgressReport => StepKinds.Progress,
        DeadlineKinds.GoalReview => StepKinds.GoalReview,
        DeadlineKinds.CloseProposal => StepKinds.CloseProposal,
        _ => timerKind,
    };

    private static string Describe(string timerKind) => $"die Frist „{timerKind}“";

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Date(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, GermanTime.Berlin).ToString("dd.MM.yyyy, HH:mm 'Uhr'", CultureInfo.GetCultureInfo("de-DE"));
}
