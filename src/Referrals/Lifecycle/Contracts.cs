namespace Netzwerk.Referrals.Lifecycle.Contracts;

// Messages between the web side, the referral workflow and the partner side (the Referrals module registers every type of
// this namespace with the outbox, see ReferralsModule). Past tense: each one
// records something that has happened. They carry ids and codes, never client names or free text
// about the client (progress notes stay in the database; messages point at them by FeedbackId).

/// <summary>The referral reached the partner; the partner organisation may now see it.</summary>
public sealed record ReferralSentToPartner(Guid ReferralId, Guid OrganizationId, Guid ServiceId, string CaseManagerId, DateTimeOffset At);

/// <summary>
/// The partner must lose access to the referral's client data (cancelled, consent revoked, closed,
/// entered in error). Access links for it are revoked.
/// </summary>
public sealed record PartnerAccessEnded(Guid ReferralId, Guid OrganizationId, string Reason, DateTimeOffset At);

/// <summary>The Fallmanager sent the referral (consent checked); the workflow routes it to the partner.</summary>
public sealed record ReferralRequested(Guid ReferralId, Guid OrganizationId, Guid ServiceId, string CaseManagerId,
    string RouteCategory, int RouteVersion, DateTimeOffset At);

/// <summary>The referral's route asks the Teamleitung to approve it before it goes to the partner.</summary>
public sealed record ReferralApprovalRequested(Guid ReferralId, string CaseManagerId, DateTimeOffset At);

/// <summary>The Teamleitung approved; the referral goes to the partner.</summary>
public sealed record ReferralApproved(Guid ReferralId, string ByUserId, DateTimeOffset At);

/// <summary>The Teamleitung gave the referral back to the Fallmanager (the reason stays in its history, not in the message).</summary>
public sealed record ReferralApprovalRefused(Guid ReferralId, string ByUserId, DateTimeOffset At);

public sealed record ReferralAccepted(Guid ReferralId, Guid OrganizationId, Guid FeedbackId, DateTimeOffset? AppointmentAt, DateTimeOffset At);

public sealed record ReferralDeclined(Guid ReferralId, Guid OrganizationId, Guid FeedbackId, string ReasonCode, DateTimeOffset At);

public sealed record ReferralWaitlisted(Guid ReferralId, Guid OrganizationId, Guid FeedbackId, DateTimeOffset At);

public sealed record ForwardingProposed(Guid ReferralId, Guid OrganizationId, Guid FeedbackId, Guid? ProposedServiceId, DateTimeOffset At);

public sealed record AppointmentOffered(Guid ReferralId, Guid OrganizationId, Guid FeedbackId, DateTimeOffset AppointmentAt, DateTimeOffset At);

public sealed record AttendanceReported(Guid ReferralId, Guid OrganizationId, Guid FeedbackId, bool Attended, DateTimeOffset At);

public sealed record ProgressReported(Guid ReferralId, Guid OrganizationId, Guid FeedbackId, DateTimeOffset At);

/// <summary>The partner proposes an outcome; only the Fallmanager closes the referral.</summary>
public sealed record OutcomeReported(Guid ReferralId, Guid OrganizationId, Guid FeedbackId, string ReasonCode, DateTimeOffset At);

public sealed record ReferralCancelled(Guid ReferralId, Guid OrganizationId, string Reason, string ByUserId, DateTimeOffset At);

public sealed record ReferralEnteredInError(Guid ReferralId, Guid OrganizationId, string ByUserId, DateTimeOffset At);

/// <summary>The Fallmanager closed the referral with an outcome (completed or failed) and a reason code.</summary>
public sealed record ReferralClosed(Guid ReferralId, Guid OrganizationId, bool Successful, string ReasonCode, string ByUserId, DateTimeOffset At);

/// <summary>The client revoked a consent; the listed open referrals were cancelled with it.</summary>
public sealed record ConsentRevoked(Guid ConsentId, Guid OrganizationId, IReadOnlyList<Guid> CancelledReferralIds, DateTimeOffset At);

/// <summary>A durable deadline fell due (partner response, reminder, attendance feedback).</summary>
public sealed record ReferralReminderDue(Guid ReferralId, Guid DeadlineId, string Kind, DateTimeOffset DueAt);

/// <summary>The consent a referral relies on expired (its deadline fell due); the lifecycle cancels the referral.</summary>
public sealed record ReferralConsentExpired(Guid ReferralId, Guid DeadlineId, DateTimeOffset DueAt);

/// <summary>The partner stayed silent past the escalation deadline; Teamleitung or Netzwerkkoordination is told.</summary>
public sealed record ReferralEscalated(Guid ReferralId, Guid DeadlineId, string Target, DateTimeOffset At);

/// <summary>Why a referral was cancelled (<see cref="ReferralCancelled.Reason"/>).</summary>
public static class CancellationReasons
{
    public const string ByCaseManager = "cancelled-by-case-manager";
    public const string ConsentRevoked = "consent-revoked";
    public const string ConsentExpired = "consent-expired";
}

/// <summary>Reason codes for declines and outcomes (DOMAIN.md).</summary>
public static class ReasonCodes
{
    public const string NotReached = "not-reached";
    public const string NotEligible = "not-eligible";
    public const string NoCapacity = "no-capacity";
    public const string DeclinedByClient = "declined-by-client";
    public const string DroppedOut = "dropped-out";
    public const string CompletedWithResult = "completed-with-result";

    public static readonly IReadOnlyDictionary<string, string> German = new Dictionary<string, string>
    {
        [NotReached] = "Nicht erreicht",
        [NotEligible] = "Nicht anspruchsberechtigt",
        [NoCapacity] = "Keine Kapazität",
        [DeclinedByClient] = "Von der Person abgelehnt",
        [DroppedOut] = "Abgebrochen",
        [CompletedWithResult] = "Mit Ergebnis abgeschlossen",
    };

    public static bool IsKnown(string? code) => code is not null && German.ContainsKey(code);
}
