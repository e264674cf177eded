using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Workflows;
using Netzwerk.Workflows.Contracts;
using Netzwerk.Workflows.Inbox;

namespace Netzwerk.Referrals.Inbox;

/// <summary>
/// Puts every piece of partner feedback, reminder and escalation into the inbox of whoever must read it:
/// the responsible Fallmanager, the deputy while the Fallmanager is absent, else the team inbox;
/// escalations go to the route's target (Teamleitung of the team, or Netzwerkkoordination).
/// Idempotent: the message id is claimed in the same transaction as the inbox item (written in groups by
/// <see cref="FeedbackInboxWriter"/>).
/// </summary>
public sealed class FeedbackInboxConsumer(ReferralsDb db, Deputies deputies, ReferralWorkflow workflow, FeedbackInboxWriter writer) :
    IConsumer<ReferralAccepted>, IConsumer<ReferralDeclined>, IConsumer<ReferralWaitlisted>, IConsumer<ForwardingProposed>,
    IConsumer<AppointmentOffered>, IConsumer<AttendanceReported>, IConsumer<ProgressReported>, IConsumer<OutcomeReported>,
    IConsumer<ReferralReminderDue>, IConsumer<ReferralEscalated>
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
        DeadlineKinds.ConsentExpiry => AddAsync(c, c.Message.ReferralId, "consent-expired", "Einwilligung abgelaufen – die Verweisung wurde storniert", null, c.Message.DueAt,
            cancelForExpiredConsent: true),
        _ => Task.CompletedTask,
    };

    public Task Consume(ConsumeContext<ReferralEscalated> c) => AddAsync(c, c.Message.ReferralId, "escalated",
        "Eskalation: Der Partner hat auf eine Verweisung nicht geantwortet", null, c.Message.At, escalateTo: c.Message.Target);

    private Task AddAsync(ConsumeContext context, Guid referralId, string kind, string title, Guid? feedbackId, DateTimeOffset occurredAt,
        string? escalateTo = null, bool cancelForExpiredConsent = false)
    {
        var draft = new InboxDraft(context.MessageId ?? throw new InvalidOperationException("MessageId missing"), referralId, kind, title,
            feedbackId, occurredAt, escalateTo);
        return cancelForExpiredConsent ? CancelForExpiredConsentAsync(context, draft) : writer.WriteAsync(draft, context.CancellationToken);
    }

    // Rare, and it changes the referral: its own transaction, with the notice in it.
    private Task CancelForExpiredConsentAsync(ConsumeContext context, InboxDraft draft) => HandledMessages.HandleOnceAsync(db, Name, context, async ct =>
    {
        var referral = await db.Referrals.AsNoTracking().Include(r => r.Workflow).SingleOrDefaultAsync(r => r.Id == draft.ReferralId, ct)
                       ?? throw InboxRecipients.UnknownReferral();
        try
        {
            await workflow.ApplyAsync(referral, workflow.Machine.ConsentEnded,
                new ConsentWithdrawn(referral.Id, referral.ConsentId ?? Guid.Empty, "consent-expired", draft.OccurredAt), Actor.System, "consent-expired", ct);
        }
        catch (ReferralProblem p) when (p.Status == 409)
        {
            return; // already ended: no notice needed
        }
        db.InboxItems.Add(InboxRecipients.Address(draft, referral.CaseManagerId, referral.Team,
            await deputies.ForCaseManagerAsync(referral.CaseManagerId, ct)));
    });
}

public sealed class FeedbackInboxConsumerDefinition : ConsumerDefinition<FeedbackInboxConsumer>
{
    public FeedbackInboxConsumerDefinition() => EndpointName = "referrals-feedback-inbox";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<FeedbackInboxConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
        endpoint.PrefetchCount = 64;
        endpoint.ConcurrentMessageLimit = 16;
    }
}
