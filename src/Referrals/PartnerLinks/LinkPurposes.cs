using System.Security.Claims;
using Netzwerk.Referrals.Lifecycle;
using E = Netzwerk.Referrals.Lifecycle.ReferralStateMachine.EventNames;

namespace Netzwerk.Referrals.PartnerLinks;

/// <summary>
/// A prompt mail's link does what its mail asks and nothing else: the reminder's and the overdue notice's link accept or
/// decline, the attendance mail's link reports attendance, the progress request's link reports progress or an outcome.
/// The session it opens carries the link's purpose (<see cref="Claim"/>); the partner's answers ask <see cref="Permits"/>.
/// The new-referral mail's link and a partner account are not narrowed.
/// </summary>
public static class LinkPurposes
{
    public const string Claim = "link-purpose";

    private static readonly IReadOnlyDictionary<string, string[]> EventsOf = new Dictionary<string, string[]>
    {
        [PromptKinds.Reminder] = [E.PartnerAccepted, E.PartnerDeclined],
        [PromptKinds.Overdue] = [E.PartnerAccepted, E.PartnerDeclined],
        [PromptKinds.Attendance] = [E.PartnerReportedAttendance],
        [PromptKinds.Progress] = [E.PartnerReportedProgress, E.PartnerReportedOutcome],
        [PromptKinds.EndNotice] = [],
    };

    /// <summary>The partner events the session may raise, or null when it is not narrowed.</summary>
    public static IReadOnlyCollection<string>? Allowed(ClaimsPrincipal principal)
        => principal.FindFirst(Claim)?.Value is { } purpose
            ? EventsOf.TryGetValue(purpose, out var events) ? events : purpose == AccessLinks.FirstPurpose ? null : []
            : null;

    public static bool Permits(ClaimsPrincipal principal, string eventName) => Allowed(principal) is not { } only || only.Contains(eventName);

    /// <summary>Why a narrowed link may not do this, in German.</summary>
    public static string Refusal(ClaimsPrincipal principal) => principal.FindFirst(Claim)?.Value switch
    {
        PromptKinds.Reminder or PromptKinds.Overdue => "Dieser Link aus der E-Mail gilt nur zum Annehmen oder Ablehnen der Verweisung.",
        PromptKinds.Attendance => "Dieser Link aus der E-Mail gilt nur für die Rückmeldung der Teilnahme.",
        PromptKinds.Progress => "Dieser Link aus der E-Mail gilt nur für einen Zwischenstand oder das Ergebnis.",
        _ => "Dieser Link aus der E-Mail gilt nicht für diese Aktion.",
    } + " Für andere Angaben nutzen Sie bitte den Link aus der ersten E-Mail zu dieser Verweisung oder Ihr Konto.";
}
