using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Messaging;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Workflows.Inbox;

namespace Netzwerk.Referrals.Inbox;

/// <summary>
/// Puts every piece of partner feedback, reminder, escalation and the cancellation for an expired consent into the inbox
/// of whoever must read it:
/// the responsible Fallmanager, the deputy while the Fallmanager is absent, else the team inbox;
/// escalations go to the route's target (Teamleitung of the team, or Netzwerkkoordination).
/// Idempotent: the message id is claimed in the same transaction as the inbox item (written in groups by
/// <see cref="FeedbackInboxWriter"/>).
/// </summary>
public sealed class FeedbackInboxConsumer(FeedbackInboxWriter writer) :
    IConsumer<ReferralAccepted>, IConsumer<ReferralDeclined>, IConsumer<ReferralWaitlisted>, IConsumer<ForwardingProposed>,
    IConsumer<AppointmentOffered>, IConsumer<AttendanceReported>, IConsumer<ProgressReported>, IConsumer<OutcomeReported>,
    IConsumer<ReferralReminderDue>, IConsumer<ReferralEscalated>, IConsumer<ReferralCancelled>,
    IConsumer<ReferralApprovalRequested>, IConsumer<ReferralApproved>, IConsumer<ReferralApprovalRefused>
{
    public const string Name = "feedback-inbox";
    private static readonly TimeZoneInfo Berlin = GermanTime.Berlin;
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    private static string When(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Berlin).ToString("dd.MM.yyyy, HH:mm 'Uhr'", German);
    private static string Reason(string code) => ReasonCodes.German.GetValueOrDefault(code, code);

    public Task Consume(ConsumeContext<ReferralAccepted> c) => AddAsync(c, c.Message.ReferralId, "accepted",
        c.Message.AppointmentAt is { } t ? $"Verweisung angenommen – Termin am {When(t)}" : "Verweisung angenommen", c.Message.FeedbackId, c.Message.At);
    public Task Consume(ConsumeContext<ReferralDeclined> c) => AddAsync(c, c.Message.ReferralId, "declined",
        $"Verweisung abgelehnt: {Reason(c.Message.ReasonCode)}", c.Message.FeedbackId, c.Message.At);
    public Task Consume(ConsumeContext<ReferralWaitlisted> c) => AddAsync(c, c.Message.ReferralId, "waitlisted",
        "Auf die Warteliste gesetzt (derzeit keine Kapazität)", c.Message.FeedbackId, c.Message.At);
    public Task Consume(ConsumeContext<ForwardingProposed> c) => AddAsync(c, c.Message.ReferralId, "forwarding-proposed",
        "Der Partner schlägt eine Weiterleitung vor", c.Message.FeedbackId, c.Message.At);
    public Task Consume(ConsumeContext<AppointmentOffered> c) => AddAsync(c, c.Message.ReferralId, "appointment-offered",
        $"Termin angeboten: {When(c.Message.AppointmentAt)}", c.Message.FeedbackId, c.Message.At);
    public Task Consume(ConsumeContext<AttendanceReported> c) => AddAsync(c, c.Message.ReferralId, "attendance",
        c.Message.Attended ? "Termin wahrgenommen" : "Termin nicht wahrgenommen", c.Message.FeedbackId, c.Message.At);
    public Task Consume(ConsumeContext<ProgressReported> c) => AddAsync(c, c.Message.ReferralId, "progress",
        "Neue Verlaufsmeldung des Partners", c.Message.FeedbackId, c.Message.At);
    public Task Consume(ConsumeContext<OutcomeReported> c) => AddAsync(c, c.Message.ReferralId, "outcome",
        $"Ergebnis gemeldet: {Reason(c.Message.ReasonCode)} – bitte Verweisung abschließen", c.Message.FeedbackId, c.Message.At);

    public Task Consume(ConsumeContext<ReferralReminderDue> c) => c.Message.Kind switch
    {
        DeadlineKinds.PartnerResponse => AddAsync(c, c.Message.ReferralId, "response-overdue", "Antwortfrist abgelaufen: Der Partner hat noch nicht geantwortet", null, c.Message.DueAt),
        DeadlineKinds.Reminder => AddAsync(c, c.Message.ReferralId, "reminder", "Erinnerung: Der Partner hat noch nicht geantwortet", null, c.Message.DueAt),
        DeadlineKinds.Attendance => AddAsync(c, c.Message.ReferralId, "attendance-overdue", "Keine Rückmeldung zur Teilnahme am Termin", null, c.Message.DueAt),
        DeadlineKinds.AppointmentExpected => AddAsync(c, c.Message.ReferralId, "appointment-overdue", "Noch kein Termin: Der Partner hat nach der Annahme keinen Termin gemeldet", null, c.Message.DueAt),
        DeadlineKinds.ProgressReport => AddAsync(c, c.Message.ReferralId, "progress-due", "Verlaufsbericht fällig: Der Partner ist um eine Verlaufsmeldung gebeten", null, c.Message.DueAt),
        DeadlineKinds.GoalReview => AddAsync(c, c.Message.ReferralId, "goal-review-due", "Zielüberprüfung fällig: Verweisung am Ziel des Kooperationsplans prüfen", null, c.Message.DueAt),
        DeadlineKinds.CloseProposal => AddAsync(c, c.Message.ReferralId, "close-proposed", "Lange nichts gehört: Bitte prüfen, ob die Verweisung abgeschlossen werden kann", null, c.Message.DueAt),
        _ => Task.CompletedTask,
    };

    public Task Consume(ConsumeContext<ReferralEscalated> c) => AddAsync(c, c.Message.ReferralId, "escalated",
        "Eskalation: Der Partner hat auf eine Verweisung nicht geantwortet", null, c.Message.At, escalateTo: c.Message.Target);

    // The machine cancelled the referral because its consent expired (see ConsentExpiryConsumer); other cancellations were
    // someone's own action and need no notice.
    public Task Consume(ConsumeContext<ReferralCancelled> c) => c.Message.Reason == CancellationReasons.ConsentExpired
        ? AddAsync(c, c.Message.ReferralId, "consent-expired", "Einwilligung abgelaufen – die Verweisung wurde storniert", null, c.Message.At)
        : Task.CompletedTask;

    public Task Consume(ConsumeContext<ReferralApprovalRequested> c) => AddAsync(c, c.Message.ReferralId, "approval-requested",
        "Freigabe erbeten: Eine Verweisung wartet auf die Entscheidung der Teamleitung", null, c.Message.At, escalateTo: Roles.TeamLead);
    public Task Consume(ConsumeContext<ReferralApproved> c) => AddAsync(c, c.Message.ReferralId, "approved",
        "Von der Teamleitung freigegeben – die Verweisung ist an den Partner gesendet", null, c.Message.At);
    public Task Consume(ConsumeContext<ReferralApprovalRefused> c) => AddAsync(c, c.Message.ReferralId, "approval-refused",
        "Von der Teamleitung nicht freigegeben – Begründung in der Verweisung", null, c.Message.At);

    private Task AddAsync(ConsumeContext context, Guid referralId, string kind, string title, Guid? feedbackId, DateTimeOffset occurredAt,
        string? escalateTo = null)
        => writer.WriteAsync(new InboxDraft(context.MessageId ?? throw new InvalidOperationException("MessageId missing"), referralId, kind, title,
            feedbackId, occurredAt, escalateTo), context.CancellationToken);
}

public sealed class FeedbackInboxConsumerDefinition : ConsumerDefinition<FeedbackInboxConsumer>
{
    public FeedbackInboxConsumerDefinition() => EndpointName = "referrals-feedback-inbox";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<FeedbackInboxConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.UseMessageRetry(MessageRetry.WhileDatabaseAway);
        endpoint.UseMessageRetry(MessageRetry.Quick);
        endpoint.PrefetchCount = 64;
        endpoint.ConcurrentMessageLimit = 16;
    }
}
