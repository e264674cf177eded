using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;
using E = Netzwerk.Referrals.Lifecycle.ReferralStateMachine.EventNames;

namespace Netzwerk.Referrals.Pages;

/// <summary>
/// Runs a referral handler from a page: a <see cref="ReferralProblem"/> (400/403/404/409/422) becomes German messages
/// next to the fields and in the error summary instead of an error page.
/// </summary>
public static class PageProblems
{
    public static async Task<bool> TryAsync(this PageModel page, Func<Task> action, IReadOnlyDictionary<string, string>? fieldNames = null)
    {
        try
        {
            await action();
            return true;
        }
        catch (ReferralProblem problem)
        {
            // A refusal stays a refusal on the page too (the form is shown again with the reason).
            if (problem.Status == 403) page.Response.StatusCode = StatusCodes.Status403Forbidden;
            page.ModelState.AddModelError("", problem.Detail);
            foreach (var (field, messages) in problem.Errors ?? new Dictionary<string, string[]>())
            {
                var key = fieldNames?.GetValueOrDefault(field) ?? (field.Length == 0 ? "" : char.ToUpperInvariant(field[0]) + field[1..]);
                foreach (var message in messages.Distinct())
                    if (message != problem.Detail) page.ModelState.AddModelError(key, message);
            }
            return false;
        }
    }
}

/// <summary>Small rendering helpers shared by the referral pages (German formats, status badges, accessible errors).</summary>
public static class Ui
{
    private static readonly TimeZoneInfo Berlin = GermanTime.Berlin;
    public static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    public static DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Berlin);
    public static string DateTime(DateTimeOffset? at) => at is { } t ? Local(t).ToString("dd.MM.yyyy, HH:mm 'Uhr'", German) : "–";
    public static string Date(DateTimeOffset? at) => at is { } t ? Local(t).ToString("dd.MM.yyyy", German) : "–";
    public static string Date(DateOnly? d) => d is { } x ? x.ToString("dd.MM.yyyy", German) : "–";

    /// <summary>A datetime-local value (Berlin wall-clock time) as an instant; null when empty or unreadable.</summary>
    public static DateTimeOffset? ParseLocal(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!System.DateTime.TryParseExact(value.Trim(), ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local)) return null;
        // stored as timestamptz: Npgsql accepts only UTC offsets
        return new DateTimeOffset(local, Berlin.GetUtcOffset(local)).ToUniversalTime();
    }

    public static DateOnly? ParseDate(string? value)
        => DateOnly.TryParseExact(value?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    public static string StatusClass(string status) => status switch
    {
        ReferralStatus.Accepted or ReferralStatus.InProgress or ReferralStatus.Completed => "ok",
        ReferralStatus.Requested or ReferralStatus.OnHold or ReferralStatus.Draft or ReferralStatus.AwaitingApproval => "warn",
        _ => "bad",
    };

    public static IHtmlContent StatusBadge(string status)
        => new HtmlString($"<span class=\"status {StatusClass(status)}\" data-status=\"{Enc(status)}\">{Enc(ReferralStatus.German.GetValueOrDefault(status, status))}</span>");

    public static string Reason(string? code) => code is null ? "–" : Netzwerk.Referrals.Lifecycle.Contracts.ReasonCodes.German.GetValueOrDefault(code, code);
    public static string Category(string code) => DataCategories.German.GetValueOrDefault(code, code);
    public static string Level(string code) => FeedbackLevels.German.GetValueOrDefault(code, code);

    public static string MailKind(string kind) => kind switch
    {
        PartnerLinks.AccessLinkMail.Kind => "Neue Verweisung (Zugangslink)",
        Lifecycle.PromptKinds.Reminder => "Erinnerung",
        Lifecycle.PromptKinds.Overdue => "Antwortfrist abgelaufen",
        Lifecycle.PromptKinds.Attendance => "Bitte Teilnahme zurückmelden",
        Lifecycle.PromptKinds.EndNotice => "Verweisung beendet",
        Lifecycle.PromptKinds.Progress => "Bitte kurzen Zwischenstand melden",
        _ => kind,
    };
    public static string Urgency(string code) => Urgencies.German.GetValueOrDefault(code, code);

    public static readonly IReadOnlyDictionary<string, string> FeedbackKinds = new Dictionary<string, string>
    {
        ["accepted"] = "Angenommen", ["declined"] = "Abgelehnt", ["waitlisted"] = "Warteliste",
        ["forwarding-proposed"] = "Weiterleitung vorgeschlagen", ["appointment-offered"] = "Termin angeboten",
        ["attendance"] = "Teilnahme", ["progress"] = "Verlauf", ["outcome"] = "Ergebnis",
    };

    public static readonly IReadOnlyDictionary<string, string> Events = new Dictionary<string, string>
    {
        [E.Drafted] = "Entwurf angelegt", [ReferralWorkflow.ConsentRecorded] = "Einwilligung erfasst", [E.Sent] = "An den Partner gesendet",
        [E.SubmittedForApproval] = "Der Teamleitung zur Freigabe vorgelegt", [E.Approved] = "Von der Teamleitung freigegeben und gesendet",
        [E.ApprovalRefused] = "Von der Teamleitung zurückgegeben",
        [E.PartnerAccepted] = "Vom Partner angenommen", [E.PartnerDeclined] = "Vom Partner abgelehnt",
        [E.PartnerWaitlisted] = "Auf die Warteliste gesetzt", [E.PartnerProposedForwarding] = "Weiterleitung vorgeschlagen",
        [E.PartnerOfferedAppointment] = "Termin angeboten", [E.PartnerReportedAttendance] = "Teilnahme gemeldet",
        [E.PartnerReportedProgress] = "Verlauf gemeldet", [E.PartnerReportedOutcome] = "Ergebnis gemeldet",
        [E.Closed] = "Abgeschlossen", [E.CancelledByCaseManager] = "Storniert", [E.ConsentEnded] = "Storniert (Einwilligung beendet)",
        [E.MarkedEnteredInError] = "Als irrtümlich erfasst markiert",
        [HistoryEvents.RouteVersionChanged] = "Auf eine neuere Version des Verweisungswegs umgestellt",
    };

    public static string Event(string name) => Events.GetValueOrDefault(name, name);

    /// <summary>The label of a history entry with its detail where the label names it (the route version a referral was moved to).</summary>
    public static string Event(string name, string? detail) => name == HistoryEvents.RouteVersionChanged && detail is not null
        ? $"Auf Version {detail} des Verweisungswegs umgestellt"
        : Event(name);

    /// <summary>The error summary at the top of a form: every message, linked to its field.</summary>
    public static IHtmlContent ErrorSummary(ModelStateDictionary state)
    {
        if (state.IsValid) return HtmlString.Empty;
        var items = state.Where(e => e.Value!.Errors.Count > 0)
            .SelectMany(e => e.Value!.Errors.Select(x => e.Key.Length == 0
                ? $"<li>{Enc(x.ErrorMessage)}</li>"
                : $"<li><a href=\"#{Enc(e.Key)}\">{Enc(x.ErrorMessage)}</a></li>"))
            .Distinct();
        return new HtmlString("<div class=\"alert error error-summary\" role=\"alert\" tabindex=\"-1\" data-error-summary>"
                              + "<h2>Bitte prüfen Sie Ihre Angaben</h2><ul>" + string.Concat(items) + "</ul></div>");
    }

    /// <summary>The messages for one field, placed next to it (the input refers to it with aria-describedby).</summary>
    public static IHtmlContent FieldError(ModelStateDictionary state, string key)
    {
        if (!state.TryGetValue(key, out var entry) || entry.Errors.Count == 0) return HtmlString.Empty;
        return new HtmlString($"<p class=\"field-error\" id=\"{Enc(key)}-error\">"
                              + string.Join("<br>", entry.Errors.Select(e => Enc(e.ErrorMessage)).Distinct()) + "</p>");
    }

    /// <summary>
    /// The aria-describedby value of a field: its hints, and its error only while <see cref="FieldError"/> renders it — an id
    /// that is not on the page leaves screen readers with nothing (issue 19). Null (no attribute) when there is neither.
    /// </summary>
    public static string? DescribedBy(ModelStateDictionary state, string key, params string[] hints)
    {
        var ids = Invalid(state, key) is null ? hints : [.. hints, key + "-error"];
        return ids.Length == 0 ? null : string.Join(' ', ids);
    }

    public static string? Invalid(ModelStateDictionary state, string key)
        => state.TryGetValue(key, out var entry) && entry.Errors.Count > 0 ? "true" : null;

    private static string Enc(string s) => HtmlEncoder.Default.Encode(s);
}
