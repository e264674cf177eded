using System.Text.Json;
using System.Text.Json.Serialization;

namespace Netzwerk.Referrals.Routes;

/// <summary>
/// The fixed vocabulary a coordinator composes a route from. Stored as JSON (<c>referrals.routes.steps</c>) with a
/// <c>kind</c> discriminator; the names of the kinds are stored, so they never change.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(ConsentStep), StepKinds.Consent)]
[JsonDerivedType(typeof(ApprovalStep), StepKinds.Approval)]
[JsonDerivedType(typeof(IntakeStep), StepKinds.Intake)]
[JsonDerivedType(typeof(ResponseStep), StepKinds.Response)]
[JsonDerivedType(typeof(AppointmentStep), StepKinds.Appointment)]
[JsonDerivedType(typeof(AttendanceStep), StepKinds.Attendance)]
[JsonDerivedType(typeof(ProgressStep), StepKinds.Progress)]
[JsonDerivedType(typeof(GoalReviewStep), StepKinds.GoalReview)]
[JsonDerivedType(typeof(CloseProposalStep), StepKinds.CloseProposal)]
[JsonDerivedType(typeof(ForwardingStep), StepKinds.Forwarding)]
[JsonDerivedType(typeof(PartnerPromptsStep), StepKinds.PartnerPrompts)]
public abstract record RouteStep
{
    [JsonIgnore] public string Kind => StepKinds.Of(GetType());
    [JsonIgnore] public string Label => StepKinds.Label(Kind);
    [JsonIgnore] public string Description => StepKinds.Description(Kind);
}

/// <summary>Which data categories the client's consent must cover, and what flows back by default.</summary>
public sealed record ConsentStep(string[] RequiredCategories, string DefaultFeedbackLevel) : RouteStep
{
}

/// <summary>The Teamleitung approves before the referral is sent (paid measures, Zuweisungen).</summary>
public sealed record ApprovalStep : RouteStep
{
}

/// <summary>Questions the Fallmanager answers; the partner sees an answer only when the consent covers its category.</summary>
public sealed record IntakeStep(IntakeQuestion[] Questions) : RouteStep
{
}

public sealed record IntakeQuestion(string Id, string Text, bool Required, string Category);

public sealed record ResponseStep(int ResponseWorkingDays, int[] ReminderWorkingDays, int EscalationWorkingDays, string EscalationTarget) : RouteStep
{
}

/// <summary>After acceptance, an appointment is expected within this many working days.</summary>
public sealed record AppointmentStep(int WithinWorkingDays) : RouteStep
{
}

/// <summary>The partner confirms attendance this many working days after the appointment.</summary>
public sealed record AttendanceStep(int WorkingDaysAfterAppointment) : RouteStep
{
}

public sealed record ProgressStep(int EveryWeeks) : RouteStep
{
}

/// <summary>Review against the client's Kooperationsplan goal (§ 15 SGB II), which is reviewed at least every six months.</summary>
public sealed record GoalReviewStep(int EveryMonths) : RouteStep
{
}

public sealed record CloseProposalStep(int AfterWorkingDaysWithoutNews) : RouteStep
{
}

public sealed record ForwardingStep : RouteStep
{
}

/// <summary>
/// Which prompts the partner gets by e-mail (src/Referrals/Prompts). The new-referral mail always goes out; without this
/// step no prompt does. <paramref name="Reminder"/>: at each reminder before the response deadline; <paramref name="Overdue"/>:
/// when the deadline has passed; <paramref name="Attendance"/>: "bitte Teilnahme zurückmelden" on the working day after the
/// appointment; <paramref name="EndNotice"/>: when the referral ends by cancellation or consent revocation;
/// <paramref name="Progress"/>: "Bitte kurzen Zwischenstand melden" every <paramref name="ProgressEveryWeeks"/> weeks while the
/// referral runs (from acceptance until it ends).
/// </summary>
public sealed record PartnerPromptsStep(bool Reminder, bool Overdue, bool Attendance, bool EndNotice, bool Progress = false,
    int? ProgressEveryWeeks = null) : RouteStep
{
}

public static class StepKinds
{
    public const string Consent = "consent";
    public const string Approval = "approval";
    public const string Intake = "intake";
    public const string Response = "response";
    public const string Appointment = "appointment";
    public const string Attendance = "attendance";
    public const string Progress = "progress";
    public const string GoalReview = "goal-review";
    public const string CloseProposal = "close-proposal";
    public const string Forwarding = "forwarding";
    public const string PartnerPrompts = "partner-prompts";

    /// <summary>In the order the steps happen in a referral's life (the composer and the picture use it).</summary>
    public static readonly string[] All = [Consent, Approval, Intake, Response, Appointment, Attendance, Progress, GoalReview, CloseProposal, Forwarding, PartnerPrompts];

    public static readonly IReadOnlyDictionary<string, Type> Types = new Dictionary<string, Type>
    {
        [Consent] = typeof(ConsentStep), [Approval] = typeof(ApprovalStep), [Intake] = typeof(IntakeStep),
        [Response] = typeof(ResponseStep), [Appointment] = typeof(AppointmentStep), [Attendance] = typeof(AttendanceStep),
        [Progress] = typeof(ProgressStep), [GoalReview] = typeof(GoalReviewStep), [CloseProposal] = typeof(CloseProposalStep),
        [Forwarding] = typeof(ForwardingStep), [PartnerPrompts] = typeof(PartnerPromptsStep),
    };

    private static readonly IReadOnlyDictionary<string, (string Label, string Description)> German = new Dictionary<string, (string, string)>
    {
        [Consent] = ("Einwilligung", "Die Einwilligung der Kundin oder des Kunden muss diese Datenkategorien abdecken; sie legt fest, was zurückfließt."),
        [Approval] = ("Freigabe durch Teamleitung", "Die Teamleitung gibt die Verweisung frei, bevor sie gesendet wird (kostenpflichtige Maßnahmen, Zuweisungen)."),
        [Intake] = ("Fragen zur Aufnahme", "Fragen, die die Fallmanagerin oder der Fallmanager beantwortet; der Partner sieht eine Antwort nur im Rahmen der Einwilligung."),
        [Response] = ("Antwortfrist", "Der Partner antwortet innerhalb der Frist; vorher wird erinnert, danach eskaliert."),
        [Appointment] = ("Termin", "Nach der Annahme wird innerhalb der Frist ein Termin erwartet."),
        [Attendance] = ("Teilnahmebestätigung", "Der Partner bestätigt nach dem Termin, ob die Kundin oder der Kunde teilgenommen hat."),
        [Progress] = ("Fortschrittsberichte", "Der Partner berichtet regelmäßig über den Verlauf (nur mit Rückmeldestufe „Teilnahme, Verlauf und Ergebnis“)."),
        [GoalReview] = ("Zielüberprüfung (Kooperationsplan)", "Die Verweisung wird regelmäßig am Ziel aus dem Kooperationsplan (§ 15 SGB II) gemessen, mindestens alle sechs Monate."),
        [CloseProposal] = ("Abschlussvorschlag", "Ohne Nachricht über die Frist hinaus wird vorgeschlagen, die Verweisung abzuschließen."),
        [Forwarding] = ("Weiterleitung", "Der Partner darf eine Weiterleitung an einen anderen Partner vorschlagen."),
        [PartnerPrompts] = ("E-Mails an den Partner", "Der Partner wird per E-Mail erinnert und um Rückmeldung gebeten – ohne Daten der Kundin oder des Kunden, mit einem Link nur für diese Verweisung."),
    };

    private static readonly IReadOnlyDictionary<Type, string> KindOfType = Types.ToDictionary(t => t.Value, t => t.Key);

    public static bool IsKnown(string kind) => Types.ContainsKey(kind);
    public static string Of(Type stepType) => KindOfType[stepType];
    public static string Label(string kind) => German.TryGetValue(kind, out var g) ? g.Label : kind;
    public static string Description(string kind) => German.TryGetValue(kind, out var g) ? g.Description : "";
}


/// <summary>How steps are written to and read from <c>referrals.routes.steps</c> and the API.</summary>
public static class RouteStepJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // Clients do not always write "kind" first; missing values are left to RouteValidation, which names the step.
        AllowOutOfOrderMetadataProperties = true,
    };

    public static string Write(IReadOnlyList<RouteStep> steps) => JsonSerializer.Serialize(steps.ToArray(), Options);

    public static RouteStep[] Read(string json) => JsonSerializer.Deserialize<RouteStep[]>(json, Options) ?? [];
}
