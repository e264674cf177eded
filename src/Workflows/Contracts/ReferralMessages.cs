namespace Netzwerk.Workflows.Contracts;

// Messages between the web side, the referral workflow and the partner side. Past tense: each one
// records something that has happened. They carry ids and codes, never client names.
// (Initial set; the referral workflow may add fields and messages.)

/// <summary>The referral reached the partner; the partner organisation may now see it.</summary>
public sealed record ReferralSentToPartner(Guid ReferralId, Guid OrganizationId, Guid ServiceId, string CaseManagerId, DateTimeOffset At);

/// <summary>
/// The partner must lose access to the referral's client data (cancelled, consent revoked, closed,
/// entered in error). Access links for it are revoked.
/// </summary>
public sealed record PartnerAccessEnded(Guid ReferralId, Guid OrganizationId, string Reason, DateTimeOffset At);
