using MassTransit;
using Netzwerk.Platform.Time;

namespace Netzwerk.Workflows;

/// <summary>
/// The workflow part of one referral (columns of the referral's own row, <c>referrals.referrals</c>). The state machine
/// changes it in memory; whoever raised the event saves it together with the messages and deadline
/// changes it collected, in one transaction (see <c>ReferralWorkflow</c> in the Referrals module).
/// </summary>
public sealed class ReferralState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "Initial";
    public Guid OrganizationId { get; set; }
    public Guid ServiceId { get; set; }
    public string CaseManagerId { get; set; } = "";
    public string RouteCategory { get; set; } = "";
    public int RouteVersion { get; set; }
    public DateTimeOffset? AppointmentAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's xmin of the referral row: two writers on the same referral → the second one fails (optimistic concurrency).</summary>
    public uint Version { get; set; }

    // Effects collected while an event runs; persisted by the caller in the same transaction.
    public List<object> Outgoing { get; } = [];
    public List<(string Kind, DateTimeOffset DueAt)> DeadlinesToSchedule { get; } = [];
    public List<string> DeadlineKindsToCancel { get; } = [];

    public void Publish(object message) => Outgoing.Add(message);
    public void ScheduleDeadline(string kind, DateTimeOffset dueAt) => DeadlinesToSchedule.Add((kind, dueAt));
    public void CancelDeadlines(params string[] kinds) => DeadlineKindsToCancel.AddRange(kinds);
}

/// <summary>Kinds of durable deadlines (table <c>workflows.deadlines</c>).</summary>
public static class DeadlineKinds
{
    public const string PartnerResponse = "partner-response";
    public const string Reminder = "reminder";
    public const string Escalation = "escalation";
    public const string Attendance = "attendance-feedback";
    public const string ConsentExpiry = "consent-expiry";

    /// <summary>Deadlines that wait for the partner's first answer.</summary>
    public static readonly string[] AwaitingResponse = [PartnerResponse, Reminder, Escalation];
    public static readonly string[] All = [PartnerResponse, Reminder, Escalation, Attendance, ConsentExpiry];
}
