namespace Netzwerk.Referrals;

/// <summary>Data categories a consent may cover; health/addiction is its own tier (DSGVO Art. 9).</summary>
public static class DataCategories
{
    public const string Contact = "contact-data";
    public const string Reason = "referral-reason";
    public const string Documents = "documents";
    public const string HealthAddiction = "health-addiction";

    public static readonly IReadOnlyDictionary<string, string> German = new Dictionary<string, string>
    {
        [Contact] = "Kontaktdaten",
        [Reason] = "Anlass der Verweisung",
        [Documents] = "Unterlagen",
        [HealthAddiction] = "Gesundheits- und Suchtinformationen (Art. 9 DSGVO)",
    };

    public static bool IsKnown(string code) => German.ContainsKey(code);
}

/// <summary>
/// What may flow back from the partner, from least to most: attendance (accept/decline, appointment,
/// attended yes/no), outcome (plus an outcome with a reason code), full (plus progress notes).
/// </summary>
public static class FeedbackLevels
{
    public const string Attendance = "attendance";
    public const string Outcome = "outcome";
    public const string Full = "full";

    public static readonly string[] Ordered = [Attendance, Outcome, Full];

    public static readonly IReadOnlyDictionary<string, string> German = new Dictionary<string, string>
    {
        [Attendance] = "Nur Teilnahme (ja/nein)",
        [Outcome] = "Teilnahme und Ergebnis",
        [Full] = "Teilnahme, Verlauf und Ergebnis",
    };

    public static bool IsKnown(string code) => Ordered.Contains(code);
    public static bool Allows(string consented, string needed) => Array.IndexOf(Ordered, consented) >= Array.IndexOf(Ordered, needed);
}

public static class ConsentForms
{
    public static readonly IReadOnlyDictionary<string, string> German = new Dictionary<string, string>
    {
        ["signed-paper"] = "Schriftlich unterschrieben",
        ["in-person"] = "Persönlich mündlich erklärt",
        ["digital"] = "Digital erteilt",
    };
}

public static class Urgencies
{
    public static readonly IReadOnlyDictionary<string, string> German = new Dictionary<string, string>
    {
        ["normal"] = "Normal",
        ["soon"] = "Zeitnah",
        ["urgent"] = "Dringend",
    };
}

/// <summary>A handler's refusal (404, 403, 409, 422 …) with a German message; endpoints turn it into a problem.</summary>
public sealed class ReferralProblem(int status, string detail, IDictionary<string, string[]>? errors = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Detail { get; } = detail;
    public IDictionary<string, string[]>? Errors { get; } = errors;

    public static ReferralProblem NotFound() => new(404, "Die Verweisung existiert nicht oder ist für Sie nicht sichtbar.");
    public static ReferralProblem Conflict(string detail) => new(409, detail);
    /// <summary>Someone else changed the referral between our read and our write (the row's xmin moved on).</summary>
    public static ReferralProblem ChangedMeanwhile() =>
        Conflict("Die Verweisung wurde gerade von jemand anderem geändert. Bitte laden Sie sie neu; es wurde nichts gespeichert.");
    public static ReferralProblem Forbidden(string detail) => new(403, detail);
    public static ReferralProblem Unprocessable(string detail, IDictionary<string, string[]>? errors = null) => new(422, detail, errors);
    public static ReferralProblem Field(string field, string message)
        => new(400, "Bitte prüfen Sie die markierten Felder.", new Dictionary<string, string[]> { [field] = [message] });

    public static ReferralProblem Invalid(FluentValidation.Results.ValidationResult result) => new(400, "Bitte prüfen Sie die markierten Felder.",
        result.Errors.GroupBy(e => char.ToLowerInvariant(e.PropertyName[0]) + e.PropertyName[1..])
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));
}
