using MassTransit;
using Netzwerk.Workflows.Deadlines;

namespace Netzwerk.Referrals.Lifecycle;

/// <summary>
/// The workflow part of one referral (columns of the referral's own row, <c>referrals.referrals</c>). The state machine
/// changes it in memory; <see cref="ReferralWorkflow"/> saves it together with the messages and deadline changes it
/// collected, in one transaction.
/// </summary>
public sealed class ReferralState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = ReferralStateMachine.StateNames.Initial;
    public Guid OrganizationId { get; set; }
    public Guid ServiceId { get; set; }
    public string CaseManagerId { get; set; } = "";
    public string RouteCategory { get; set; } = "";
    public int RouteVersion { get; set; }
    public DateTimeOffset? AppointmentAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's xmin of the referral row: two writers on the same referral → the second one fails (optimistic concurrency).</summary>
    public uint Version { get; set; }

    // Handed in by the runner before an event that needs them (not stored here): the route version the referral keeps, whose
    // deadlines start when it is sent, and the consent, whose expiry ends it.
    public ReferralRoute? Route { get; set; }
    public Consent? Consent { get; set; }

    // Effects collected while an event runs; persisted by the caller in the same transaction.
    public List<object> Outgoing { get; } = [];
    public List<NewDeadline> DeadlinesToSchedule { get; } = [];
    public List<string> DeadlineKindsToCancel { get; } = [];
    /// <summary>Partner prompt mails (kind, occurrence) the event causes; queued in the same transaction (src/Referrals/Prompts).</summary>
    public List<(string Kind, string Occurrence)> Prompts { get; } = [];

    public void Publish(object message) => Outgoing.Add(message);
    public void ScheduleDeadline(string kind, DateTimeOffset dueAt, string? detail = null) => DeadlinesToSchedule.Add(new NewDeadline(kind, dueAt, detail));
    public void CancelDeadlines(params string[] kinds) => DeadlineKindsToCancel.AddRange(kinds);
    public void PromptPartner(string kind, string occurrence) => Prompts.Add((kind, occurrence));
}
