using System.Text.Json;
using System.Text.RegularExpressions;
using Netzwerk.Platform.Input;
using Netzwerk.Referrals.Routes;

namespace Netzwerk.Referrals.Create;

/// <summary>
/// One answer to an intake question of the referral's route. The question's text and category are copied when the
/// Fallmanager answers, so a later route version cannot change what was asked or who may read it.
/// </summary>
public sealed record IntakeAnswer(string QuestionId, string Question, string Category, bool Required, string Answer);

/// <summary>
/// The intake answers of a referral: checking them against the route's questions, and their stored form
/// (<c>referrals.referrals.intake_answers</c>, jsonb array; null when there are none).
/// </summary>
public static partial class IntakeAnswers
{
    public const int MaxLength = 2000;
    public const string Field = "intakeAnswers";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Field → German messages for what is wrong with the answers (empty when all is well).</summary>
    public static Dictionary<string, string[]> Check(ReferralRoute route, IReadOnlyDictionary<string, string?>? answers)
    {
        var errors = new Dictionary<string, string[]>();
        var questions = route.IntakeQuestions.ToDictionary(q => q.Id);
        foreach (var (id, text) in answers ?? new Dictionary<string, string?>())
        {
            // The id names the field in the answer; an id that is not even well-formed is reported on the whole list.
            var field = id is not null && IdPattern().IsMatch(id) ? $"{Field}.{id}" : Field;
            if (id is null || !questions.ContainsKey(id))
                Add(errors, field, "Diese Frage gehört nicht zum Verweisungsweg des Angebots.");
            else if (text is not null && !CleanText.IsClean(text))
                Add(errors, field, CleanText.Message);
            else if (text is { Length: > MaxLength })
                Add(errors, field, $"Die Antwort darf höchstens {MaxLength} Zeichen lang sein.");
        }
        foreach (var q in Missing(route, Answered(answers)))
            Add(errors, $"{Field}.{q.Id}", $"Bitte beantworten Sie die Pflichtfrage „{q.Text}“.");
        return errors;
    }

    /// <summary>The answers to keep (assumes <see cref="Check"/> passed): known questions, non-blank, trimmed, in the route's order.</summary>
    public static IReadOnlyList<IntakeAnswer> Take(ReferralRoute route, IReadOnlyDictionary<string, string?>? answers) =>
        route.IntakeQuestions
            .Where(q => answers?.GetValueOrDefault(q.Id) is { } a && !string.IsNullOrWhiteSpace(a))
            .Select(q => new IntakeAnswer(q.Id, q.Text, q.Category, q.Required, answers![q.Id]!.Trim()))
            .ToList();

    /// <summary>
    /// The route's required questions that have no answer. Pure; sending asks it, because a referral's route version
    /// may have gained a required question after the draft was answered.
    /// </summary>
    public static IReadOnlyList<IntakeQuestion> Missing(ReferralRoute route, IReadOnlyDictionary<string, string>? answers) =>
        route.IntakeQuestions.Where(q => q.Required && string.IsNullOrWhiteSpace(answers?.GetValueOrDefault(q.Id))).ToList();

    /// <inheritdoc cref="Missing(ReferralRoute, IReadOnlyDictionary{string, string}?)"/>
    public static IReadOnlyList<IntakeQuestion> Missing(ReferralRoute route, Referral referral) =>
        Missing(route, Read(referral.IntakeAnswers).ToDictionary(a => a.QuestionId, a => a.Answer));

    public static IReadOnlyList<IntakeAnswer> Read(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<IntakeAnswer[]>(json, Json) ?? [];

    public static string? Write(IReadOnlyList<IntakeAnswer> answers) =>
        answers.Count == 0 ? null : JsonSerializer.Serialize(answers, Json);

    private static Dictionary<string, string> Answered(IReadOnlyDictionary<string, string?>? answers) =>
        (answers ?? new Dictionary<string, string?>()).Where(a => a.Key is not null && !string.IsNullOrWhiteSpace(a.Value))
            .ToDictionary(a => a.Key, a => a.Value!);

    private static void Add(Dictionary<string, string[]> errors, string field, string message) =>
        errors[field] = errors.TryGetValue(field, out var m) ? [.. m, message] : [message];

    // The shape RouteValidation allows for question ids.
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex IdPattern();
}
