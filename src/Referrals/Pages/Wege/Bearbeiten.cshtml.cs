using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Routes;

namespace Netzwerk.Referrals.Pages.Wege;

/// <summary>
/// /wege/bearbeiten?weg=… (or ?art=… for a new partner kind): the composer of a new route version. Each step is a fieldset
/// (use it or not, its parameters); saving validates the whole definition and shows each message next to its step.
/// </summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class BearbeitenModel(ReferralsDb db, TimeProvider clock, AuditLog audit) : PageModel
{
    public const int QuestionRows = 5;

    public ReferralRoute? Current { get; private set; }

    [BindProperty] public string? Key { get; set; }
    [BindProperty] public string? CategoryCode { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? ScopeKind { get; set; } = "none";
    [BindProperty] public string? ScopeOrganizationId { get; set; }
    [BindProperty] public string? ScopeServiceId { get; set; }
    [BindProperty] public string? ScopeDistrict { get; set; }

    [BindProperty] public string[]? RequiredCategories { get; set; } = [];
    [BindProperty] public string? DefaultFeedbackLevel { get; set; }
    [BindProperty] public bool UseApproval { get; set; }
    [BindProperty] public bool UseIntake { get; set; }
    [BindProperty] public List<QuestionRow>? Questions { get; set; } = [];
    [BindProperty] public string? ResponseWorkingDays { get; set; }
    [BindProperty] public string? Reminders { get; set; }
    [BindProperty] public string? EscalationWorkingDays { get; set; }
    [BindProperty] public string? EscalationTarget { get; set; }
    [BindProperty] public bool UseAppointment { get; set; }
    [BindProperty] public string? AppointmentWithinWorkingDays { get; set; }
    [BindProperty] public bool UseAttendance { get; set; }
    [BindProperty] public string? AttendanceWorkingDays { get; set; }
    [BindProperty] public bool UseProgress { get; set; }
    [BindProperty] public string? ProgressEveryWeeks { get; set; }
    [BindProperty] public bool UseGoalReview { get; set; }
    [BindProperty] public string? GoalReviewEveryMonths { get; set; }
    [BindProperty] public bool UseCloseProposal { get; set; }
    [BindProperty] public string? CloseProposalAfterWorkingDays { get; set; }
    [BindProperty] public string? ForwardingAllowed { get; set; }
    [BindProperty] public bool PromptReminder { get; set; }
    [BindProperty] public bool PromptOverdue { get; set; }
    [BindProperty] public bool PromptAttendance { get; set; }
    [BindProperty] public bool PromptEndNotice { get; set; }
    [BindProperty] public bool PromptProgress { get; set; }
    [BindProperty] public string? PromptProgressEveryWeeks { get; set; }

    public sealed class QuestionRow
    {
        public string? Id { get; set; }
        public string? Text { get; set; }
        public string? Category { get; set; }
        public bool Required { get; set; }
    }

    /// <summary>Where a validation message about a step's field is shown in this form.</summary>
    private static readonly Dictionary<(string Kind, string Field), string> FormFields = new()
    {
        [(StepKinds.Consent, "requiredCategories")] = nameof(RequiredCategories),
        [(StepKinds.Consent, "defaultFeedbackLevel")] = nameof(DefaultFeedbackLevel),
        [(StepKinds.Response, "responseWorkingDays")] = nameof(ResponseWorkingDays),
        [(StepKinds.Response, "reminderWorkingDays")] = nameof(Reminders),
        [(StepKinds.Response, "escalationWorkingDays")] = nameof(EscalationWorkingDays),
        [(StepKinds.Response, "escalationTarget")] = nameof(EscalationTarget),
        [(StepKinds.Appointment, "withinWorkingDays")] = nameof(AppointmentWithinWorkingDays),
        [(StepKinds.Attendance, "workingDaysAfterAppointment")] = nameof(AttendanceWorkingDays),
        [(StepKinds.Progress, "everyWeeks")] = nameof(ProgressEveryWeeks),
        [(StepKinds.PartnerPrompts, "progressEveryWeeks")] = nameof(PromptProgressEveryWeeks),
        [(StepKinds.GoalReview, "everyMonths")] = nameof(GoalReviewEveryMonths),
        [(StepKinds.CloseProposal, "afterWorkingDaysWithoutNews")] = nameof(CloseProposalAfterWorkingDays),
    };

    /// <summary>The model-state key of a step's fieldset: messages about the step as a whole go there.</summary>
    public static string StepField(string kind) => "step-" + kind;

    public async Task OnGetAsync(string? weg, string? art, CancellationToken ct)
    {
        Current = await LatestAsync(weg ?? art, ct);
        if (Current is null)
        {
            CategoryCode = art;
            RequiredCategories = [DataCategories.Contact];
            DefaultFeedbackLevel = FeedbackLevels.Attendance;
            ResponseWorkingDays = "5"; Reminders = "3"; EscalationWorkingDays = "10"; EscalationTarget = Roles.TeamLead;
            UseAttendance = true; AttendanceWorkingDays = "2";
            PadQuestions();
            return;
        }
        Key = Current.Key;
        CategoryCode = Current.PartnerKind;
        Name = Current.Name;
        (ScopeKind, ScopeOrganizationId, ScopeServiceId, ScopeDistrict) = Current switch
        {
            { ServiceId: { } s } => ("service", null, s.ToString(), null),
            { OrganizationId: { } o } => ("organization", o.ToString(), null, null),
            { District: { } d } => ("district", null, null, d),
            _ => ("none", (string?)null, (string?)null, (string?)null),
        };
        RequiredCategories = Current.RequiredCategories;
        DefaultFeedbackLevel = Current.DefaultFeedbackLevel;
        UseApproval = Current.Approval is not null;
        UseIntake = Current.IntakeQuestions.Count > 0;
        Questions = Current.IntakeQuestions.Select(q => new QuestionRow { Id = q.Id, Text = q.Text, Category = q.Category, Required = q.Required }).ToList();
        ResponseWorkingDays = Current.ResponseWorkingDays.ToString();
        Reminders = string.Join(", ", Current.ReminderWorkingDays);
        EscalationWorkingDays = Current.EscalationWorkingDays.ToString();
        EscalationTarget = Current.EscalationTarget;
        (UseAppointment, AppointmentWithinWorkingDays) = (Current.AppointmentWithinWorkingDays is not null, Current.AppointmentWithinWorkingDays?.ToString() ?? "10");
        (UseAttendance, AttendanceWorkingDays) = (Current.AttendanceWorkingDays is not null, Current.AttendanceWorkingDays?.ToString() ?? "2");
        (UseProgress, ProgressEveryWeeks) = (Current.ProgressEveryWeeks is not null, Current.ProgressEveryWeeks?.ToString() ?? "4");
        (UseGoalReview, GoalReviewEveryMonths) = (Current.GoalReviewEveryMonths is not null, Current.GoalReviewEveryMonths?.ToString() ?? "6");
        (UseCloseProposal, CloseProposalAfterWorkingDays) = (Current.CloseProposalAfterWorkingDays is not null, Current.CloseProposalAfterWorkingDays?.ToString() ?? "40");
        ForwardingAllowed = Current.ForwardingAllowed ? "true" : null;
        (PromptReminder, PromptOverdue, PromptAttendance, PromptEndNotice) =
            (Current.Prompts.Reminder, Current.Prompts.Overdue, Current.Prompts.Attendance, Current.Prompts.EndNotice);
        (PromptProgress, PromptProgressEveryWeeks) = (Current.Prompts.Progress, Current.Prompts.ProgressEveryWeeks?.ToString() ?? "4");
        PadQuestions();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Current = await LatestAsync(Key, ct);
        var kinds = new List<string>();
        var steps = new List<RouteStep?>();
        void Add(RouteStep step) { kinds.Add(step.Kind); steps.Add(step); }

        Add(new ConsentStep(RequiredCategories ?? [], DefaultFeedbackLevel!));
        if (UseApproval) Add(new ApprovalStep());
        if (UseIntake)
            Add(new IntakeStep((Questions ?? []).Where(q => !string.IsNullOrWhiteSpace(q.Text)).Select((q, n) => new IntakeQuestion(
                string.IsNullOrWhiteSpace(q.Id) ? QuestionId(q.Text!, n) : q.Id, q.Text!.Trim(), q.Required, q.Category ?? "")).ToArray()));
        var response = Number(ResponseWorkingDays, nameof(ResponseWorkingDays), "Die Antwortfrist");
        var escalation = Number(EscalationWorkingDays, nameof(EscalationWorkingDays), "Die Eskalation");
        var reminders = new List<int>();
        foreach (var part in (Reminders ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, out var n)) reminders.Add(n);
            else { ModelState.AddModelError(nameof(Reminders), "Erinnerungen als Zahlen von Arbeitstagen, durch Komma getrennt (z. B. 3, 7)."); break; }
        }
        Add(new ResponseStep(response ?? 0, reminders.ToArray(), escalation ?? 0, EscalationTarget ?? ""));
        if (UseAppointment) Add(new AppointmentStep(Number(AppointmentWithinWorkingDays, nameof(AppointmentWithinWorkingDays), "Die Terminfrist") ?? 0));
        if (UseAttendance) Add(new AttendanceStep(Number(AttendanceWorkingDays, nameof(AttendanceWorkingDays), "Die Teilnahmebestätigung") ?? 0));
        if (UseProgress) Add(new ProgressStep(Number(ProgressEveryWeeks, nameof(ProgressEveryWeeks), "Der Abstand der Berichte", "Wochen") ?? 0));
        if (UseGoalReview) Add(new GoalReviewStep(Number(GoalReviewEveryMonths, nameof(GoalReviewEveryMonths), "Der Abstand der Zielüberprüfung", "Monaten") ?? 0));
        if (UseCloseProposal) Add(new CloseProposalStep(Number(CloseProposalAfterWorkingDays, nameof(CloseProposalAfterWorkingDays), "Der Abschlussvorschlag") ?? 0));
        if (ForwardingAllowed == "true") Add(new ForwardingStep());
        if (PromptReminder || PromptOverdue || PromptAttendance || PromptEndNotice || PromptProgress)
            Add(new PartnerPromptsStep(PromptReminder, PromptOverdue, PromptAttendance, PromptEndNotice, PromptProgress,
                PromptProgress ? Number(PromptProgressEveryWeeks, nameof(PromptProgressEveryWeeks), "Der Abstand der Zwischenstand-E-Mails", "Wochen") ?? 0 : null));
        PadQuestions();
        if (!ModelState.IsValid) return Page();

        RouteScope? scope = null;
        switch (ScopeKind ?? "none")
        {
            case "organization" when Guid.TryParse(ScopeOrganizationId, out var o): scope = new RouteScope(OrganizationId: o); break;
            case "service" when Guid.TryParse(ScopeServiceId, out var s): scope = new RouteScope(ServiceId: s); break;
            case "district" when !string.IsNullOrWhiteSpace(ScopeDistrict): scope = new RouteScope(District: ScopeDistrict); break;
            case "none": break;
            default:
                ModelState.AddModelError("Scope", "Bitte geben Sie die Kennung (UUID) des Trägers oder Angebots bzw. den Landkreis an.");
                return Page();
        }

        try
        {
            var created = await RouteCatalogue.PutAsync(db, clock, audit, User, Current?.PartnerKind ?? CategoryCode?.Trim(), Name,
                Current is null ? scope : Current.Scope, steps, null, ct);
            TempData["Message"] = $"Der Verweisungsweg „{created.Name}“ ist als Version {created.Version} gespeichert. Laufende Verweisungen behalten ihre Version.";
            return Redirect("/wege");
        }
        catch (ReferralProblem problem)
        {
            ModelState.AddModelError("", problem.Detail);
            foreach (var (field, messages) in problem.Errors ?? new Dictionary<string, string[]>())
                foreach (var message in messages.Distinct())
                    ModelState.AddModelError(FormField(field, kinds), message);
            return Page();
        }
    }

    /// <summary>steps[2].escalationWorkingDays → the input it is about; other step messages → the step's fieldset.</summary>
    private static string FormField(string field, IReadOnlyList<string> kinds)
    {
        if (field.StartsWith("scope")) return "Scope";
        if (!field.StartsWith("steps[")) return field == "steps" ? "Steps" : char.ToUpperInvariant(field[0]) + field[1..];
        var close = field.IndexOf(']');
        if (!int.TryParse(field[6..close], out var index) || index >= kinds.Count) return "Steps";
        var kind = kinds[index];
        var rest = field[(close + 1)..].TrimStart('.');
        var name = rest.Split('.', '[')[0];
        return FormFields.GetValueOrDefault((kind, name)) ?? StepField(kind);
    }

    private static string QuestionId(string text, int n)
    {
        var slug = RouteKeys.Slug(text);
        slug = slug.Length > 30 ? slug[..30].TrimEnd('-') : slug;
        return string.IsNullOrEmpty(slug) ? $"frage-{n + 1}" : slug;
    }

    private void PadQuestions()
    {
        Questions ??= [];
        while (Questions.Count < QuestionRows) Questions.Add(new QuestionRow { Category = DataCategories.Contact });
    }

    private int? Number(string? value, string field, string what, string unit = "Arbeitstagen")
    {
        if (int.TryParse(value, out var n)) return n;
        ModelState.AddModelError(field, $"{what} bitte als ganze Zahl von {unit} angeben.");
        return null;
    }

    private async Task<ReferralRoute?> LatestAsync(string? key, CancellationToken ct) => string.IsNullOrWhiteSpace(key) ? null
        : await db.Routes.AsNoTracking().Where(r => r.CategoryCode == key).OrderByDescending(r => r.Version).FirstOrDefaultAsync(ct);
}
