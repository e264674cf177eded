using System.Text.Json;
using System.Text.RegularExpressions;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Referrals.Routes;

/// <summary>
/// Refuses a route definition that cannot finish or contradicts itself. Every message names the step by its position and
/// label ("Schritt 3 (Antwortfrist): …") under the field <c>steps[2].escalationWorkingDays</c>; pure, so each rule is unit-tested.
/// </summary>
public static partial class RouteValidation
{
    public const int MaxSteps = 12;
    public const int MaxIntakeQuestions = 10;
    public const int MaxQuestionLength = 300;

    [GeneratedRegex(@"^(\*|[a-z0-9][a-z0-9_-]*)$")]
    private static partial Regex CategoryCodePattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex SlugPattern();

    /// <summary>Reads the steps of a request; a step that cannot be read is null and its error is already added.</summary>
    public static List<RouteStep?> Parse(JsonElement[]? raw, IDictionary<string, string[]> errors)
    {
        var steps = new List<RouteStep?>();
        if (raw is null) return steps;
        for (var i = 0; i < raw.Length; i++)
        {
            var element = raw[i];
            var kind = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("kind", out var k) ? KindOf(k) : null;
            if (kind is null || !StepKinds.IsKnown(kind))
            {
                Add(errors, $"steps[{i}].kind", $"Schritt {i + 1}: Unbekannte Schrittart{(kind is null ? "" : $" „{Clip(kind)}“")}. Erlaubt sind: {string.Join(", ", StepKinds.All)}.");
                steps.Add(null);
                continue;
            }
            try
            {
                steps.Add((RouteStep?)element.Deserialize(StepKinds.Types[kind], RouteStepJson.Options));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                Add(errors, $"steps[{i}]", $"Schritt {i + 1} ({StepKinds.Label(kind)}): Die Angaben haben nicht das erwartete Format (Zahlen als Zahlen, Listen als Listen).");
                steps.Add(null);
            }
        }
        return steps;
    }

    private static string? KindOf(JsonElement kind)
    {
        if (kind.ValueKind != JsonValueKind.String) return null;
        try { return kind.GetString(); }
        catch (InvalidOperationException) { return null; } // not valid UTF-16 (a lone surrogate): no kind we know
    }

    public static Dictionary<string, string[]> Validate(string? partnerKind, string? name, RouteScope? scope, IReadOnlyList<RouteStep?>? steps,
        IDictionary<string, string[]>? errors = null)
    {
        var e = errors is null ? new Dictionary<string, string[]>() : new Dictionary<string, string[]>(errors);
        if (string.IsNullOrWhiteSpace(partnerKind)) Add(e, "categoryCode", "Bitte geben Sie die Partnerart (Kategorie-Code) an.");
        else if (partnerKind.Length > 80) Add(e, "categoryCode", "Der Kategorie-Code darf höchstens 80 Zeichen lang sein.");
        else if (!CategoryCodePattern().IsMatch(partnerKind)) Add(e, "categoryCode", "Der Kategorie-Code besteht aus Kleinbuchstaben, Ziffern, Unter- und Bindestrichen.");
        if (string.IsNullOrWhiteSpace(name)) Add(e, "name", "Bitte geben Sie einen Namen an.");
        else if (name.Length > 200) Add(e, "name", "Der Name darf höchstens 200 Zeichen lang sein.");
        if (scope is not null)
        {
            var narrowed = (scope.OrganizationId is not null ? 1 : 0) + (scope.ServiceId is not null ? 1 : 0) + (string.IsNullOrWhiteSpace(scope.District) ? 0 : 1);
            if (narrowed > 1) Add(e, "scope", "Ein Weg gilt entweder für einen Träger, ein Angebot oder einen Landkreis – nicht für mehrere zugleich.");
            if (scope.District is { Length: > 120 }) Add(e, "scope.district", "Der Landkreis darf höchstens 120 Zeichen lang sein.");
            if (scope.District is not null && string.IsNullOrWhiteSpace(RouteKeys.Slug(scope.District)) && !string.IsNullOrWhiteSpace(scope.District))
                Add(e, "scope.district", "Bitte geben Sie den Landkreis oder die Stadt so an, wie sie im Katalog steht.");
        }

        if (steps is null || steps.Count == 0)
        {
            Add(e, "steps", "Der Weg braucht mindestens die Schritte „Einwilligung“ und „Antwortfrist“.");
            return e;
        }
        if (steps.Count > MaxSteps) Add(e, "steps", $"Höchstens {MaxSteps} Schritte.");

        var firstAt = new Dictionary<string, int>();
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is not { } s) continue;
            if (firstAt.TryGetValue(s.Kind, out var first))
                Add(e, $"steps[{i}].kind", Say(i, s, $"Diese Schrittart kommt schon als Schritt {first + 1} vor; jeder Schritt darf nur einmal vorkommen."));
            else firstAt[s.Kind] = i;
        }
        // Without these two a referral can neither be sent lawfully nor be answered, and so never reaches an outcome.
        if (steps.All(s => s is not null))
        {
            if (!firstAt.ContainsKey(StepKinds.Consent))
                Add(e, "steps", "Der Weg kann nicht abgeschlossen werden: Es fehlt der Schritt „Einwilligung“ (ohne sie darf keine Verweisung gesendet werden).");
            if (!firstAt.ContainsKey(StepKinds.Response))
                Add(e, "steps", "Der Weg kann nicht abgeschlossen werden: Es fehlt der Schritt „Antwortfrist“ (ohne sie wartet die Verweisung unbegrenzt auf den Partner).");
        }

        var consent = steps.OfType<ConsentStep>().FirstOrDefault();
        var response = steps.OfType<ResponseStep>().FirstOrDefault();
        for (var i = 0; i < steps.Count; i++)
        {
            var field = $"steps[{i}]";
            switch (steps[i])
            {
                case ConsentStep c:
                    if (c.RequiredCategories is null || c.RequiredCategories.Any(x => x is null || !DataCategories.IsKnown(x)))
                        Add(e, $"{field}.requiredCategories", Say(i, c, $"Unbekannte Datenkategorie. Erlaubt sind: {string.Join(", ", DataCategories.German.Keys)}."));
                    if (c.DefaultFeedbackLevel is null || !FeedbackLevels.IsKnown(c.DefaultFeedbackLevel))
                        Add(e, $"{field}.defaultFeedbackLevel", Say(i, c, "Die Rückmeldestufe muss „attendance“, „outcome“ oder „full“ sein."));
                    break;
                case IntakeStep q:
                    if (q.Questions is null || q.Questions.Length == 0)
                    {
                        Add(e, $"{field}.questions", Say(i, q, "Bitte mindestens eine Frage angeben oder den Schritt weglassen."));
                        break;
                    }
                    if (q.Questions.Length > MaxIntakeQuestions) Add(e, $"{field}.questions", Say(i, q, $"Höchstens {MaxIntakeQuestions} Fragen."));
                    var ids = new HashSet<string>();
                    for (var j = 0; j < q.Questions.Length; j++)
                    {
                        var question = q.Questions[j];
                        var qf = $"{field}.questions[{j}]";
                        if (question is null) { Add(e, qf, Say(i, q, $"Frage {j + 1} fehlt.")); continue; }
                        if (question.Id is null || !SlugPattern().IsMatch(question.Id))
                            Add(e, $"{qf}.id", Say(i, q, $"Frage {j + 1}: Die Kennung besteht aus Kleinbuchstaben, Ziffern und Bindestrichen (höchstens 40 Zeichen)."));
                        else if (!ids.Add(question.Id))
                            Add(e, $"{qf}.id", Say(i, q, $"Frage {j + 1}: Die Kennung „{question.Id}“ kommt doppelt vor."));
                        if (string.IsNullOrWhiteSpace(question.Text))
                            Add(e, $"{qf}.text", Say(i, q, $"Frage {j + 1}: Bitte geben Sie den Fragetext an."));
                        else if (question.Text.Length > MaxQuestionLength)
                            Add(e, $"{qf}.text", Say(i, q, $"Frage {j + 1}: Der Fragetext darf höchstens {MaxQuestionLength} Zeichen lang sein."));
                        if (question.Category is null || !DataCategories.IsKnown(question.Category))
                            Add(e, $"{qf}.category", Say(i, q, $"Frage {j + 1}: Unbekannte Datenkategorie."));
                        else if (consent?.RequiredCategories is { } required && !required.Contains(question.Category))
                            Add(e, $"{qf}.category", Say(i, q, $"Frage {j + 1}: Die Einwilligung verlangt die Kategorie „{DataCategories.German[question.Category]}“ nicht; der Partner könnte die Antwort nie sehen."));
                    }
                    break;
                case ResponseStep r:
                    var responseOk = r.ResponseWorkingDays is >= 1 and <= 60;
                    if (!responseOk) Add(e, $"{field}.responseWorkingDays", Say(i, r, "Die Antwortfrist muss zwischen 1 und 60 Arbeitstagen liegen."));
                    if (r.ReminderWorkingDays is null) Add(e, $"{field}.reminderWorkingDays", Say(i, r, "Bitte geben Sie den Erinnerungsplan an (ggf. leer)."));
                    else
                    {
                        if (r.ReminderWorkingDays.Length > 10) Add(e, $"{field}.reminderWorkingDays", Say(i, r, "Höchstens 10 Erinnerungen."));
                        if (r.ReminderWorkingDays.Any(d => d < 1))
                            Add(e, $"{field}.reminderWorkingDays", Say(i, r, "Erinnerungen frühestens nach 1 Arbeitstag."));
                        else if (responseOk && r.ReminderWorkingDays.Any(d => d >= r.ResponseWorkingDays))
                            Add(e, $"{field}.reminderWorkingDays", Say(i, r, $"Eine Erinnerung muss vor der Antwortfrist ({r.ResponseWorkingDays} Arbeitstage) liegen."));
                        if (r.ReminderWorkingDays.Distinct().Count() != r.ReminderWorkingDays.Length)
                            Add(e, $"{field}.reminderWorkingDays", Say(i, r, "Jede Erinnerung nur einmal."));
                    }
                    if (r.EscalationWorkingDays is < 1 or > 90)
                        Add(e, $"{field}.escalationWorkingDays", Say(i, r, "Die Eskalation muss zwischen 1 und 90 Arbeitstagen liegen."));
                    else if (responseOk && r.EscalationWorkingDays < r.ResponseWorkingDays)
                        Add(e, $"{field}.escalationWorkingDays", Say(i, r, "Die Eskalation kann nicht vor der Antwortfrist liegen."));
                    if (r.EscalationTarget is not (Roles.TeamLead or Roles.NetworkCoordinator))
                        Add(e, $"{field}.escalationTarget", Say(i, r, "Eskaliert wird an „Teamleitung“ oder „Netzwerkkoordination“."));
                    break;
                case AppointmentStep a when a.WithinWorkingDays is < 1 or > 60:
                    Add(e, $"{field}.withinWorkingDays", Say(i, a, "Der Termin muss zwischen 1 und 60 Arbeitstagen nach der Annahme erwartet werden."));
                    break;
                case AttendanceStep t when t.WorkingDaysAfterAppointment is < 1 or > 20:
                    Add(e, $"{field}.workingDaysAfterAppointment", Say(i, t, "Die Teilnahmebestätigung wird zwischen 1 und 20 Arbeitstagen nach dem Termin erwartet."));
                    break;
                case ProgressStep p:
                    if (p.EveryWeeks is < 1 or > 26)
                        Add(e, $"{field}.everyWeeks", Say(i, p, "Fortschrittsberichte alle 1 bis 26 Wochen."));
                    if (consent is not null && consent.DefaultFeedbackLevel != FeedbackLevels.Full)
                        Add(e, $"{field}.kind", Say(i, p, "Fortschrittsberichte verlangen die Rückmeldestufe „Teilnahme, Verlauf und Ergebnis“ im Schritt „Einwilligung“."));
                    break;
                case PartnerPromptsStep pp when pp.Progress && pp.ProgressEveryWeeks is not (>= 1 and <= 26):
                    Add(e, $"{field}.progressEveryWeeks", Say(i, pp, "Den Zwischenstand alle 1 bis 26 Wochen erfragen."));
                    break;
                case GoalReviewStep g when g.EveryMonths is < 1 or > 6:
                    Add(e, $"{field}.everyMonths", Say(i, g, "Der Kooperationsplan wird mindestens alle sechs Monate überprüft (§ 15 SGB II): 1 bis 6 Monate."));
                    break;
                case CloseProposalStep x:
                    if (x.AfterWorkingDaysWithoutNews is < 5 or > 120)
                    {
                        Add(e, $"{field}.afterWorkingDaysWithoutNews", Say(i, x, "Der Abschluss wird nach 5 bis 120 Arbeitstagen ohne Nachricht vorgeschlagen."));
                        break;
                    }
                    // Proposing to close before an expected answer, appointment or report is due would contradict that step.
                    if (response is { EscalationWorkingDays: > 0 } && x.AfterWorkingDaysWithoutNews <= response.EscalationWorkingDays)
                        Add(e, $"{field}.afterWorkingDaysWithoutNews", Say(i, x, $"Der Abschlussvorschlag muss nach der Eskalation ({response.EscalationWorkingDays} Arbeitstage) liegen."));
                    else if (steps.OfType<AppointmentStep>().FirstOrDefault() is { WithinWorkingDays: > 0 } ap && x.AfterWorkingDaysWithoutNews <= ap.WithinWorkingDays)
                        Add(e, $"{field}.afterWorkingDaysWithoutNews", Say(i, x, $"Der Abschlussvorschlag muss nach der Terminfrist ({ap.WithinWorkingDays} Arbeitstage) liegen."));
                    else if (steps.OfType<ProgressStep>().FirstOrDefault() is { EveryWeeks: > 0 } pr && x.AfterWorkingDaysWithoutNews <= pr.EveryWeeks * 5)
                        Add(e, $"{field}.afterWorkingDaysWithoutNews", Say(i, x, $"Der Abschlussvorschlag muss nach dem ersten Fortschrittsbericht ({pr.EveryWeeks} Wochen = {pr.EveryWeeks * 5} Arbeitstage) liegen."));
                    break;
            }
        }
        return e;
    }

    private static string Say(int index, RouteStep step, string message) => $"Schritt {index + 1} ({step.Label}): {message}";

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;

    private static void Add(IDictionary<string, string[]> errors, string field, string message) =>
        errors[field] = errors.TryGetValue(field, out var list) ? [.. list, message] : [message];
}
