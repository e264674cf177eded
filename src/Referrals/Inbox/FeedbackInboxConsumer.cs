using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Identity;
using Netzwerk.Workflows;
using Netzwerk.Workflows.Contracts;
using Netzwerk.Workflows.Inbox;

namespace Netzwerk.Referrals.Inbox;

/// <summary>
/// Puts every piece of partner feedback, reminder and escalation into the inbox of whoever must read it:
/// the responsible Fallmanager, the deputy while the Fallmanager is absent, else the team inbox;
/// escalations go to the route's target (Teamleitung of the team, or Netzwerkkoordination).
/// Idempotent: the message id is claimed in the same transaction as the inbox item.
/// </summary>
public sealed class FeedbackInboxConsumer(ReferralsDb db, Deputies deputies, ReferralWorkflow workflow) :
    IConsumer<ReferralAccepted>, IConsumer<ReferralDeclined>, IConsumer<ReferralWaitlisted>, IConsumer<ForwardingProposed>,
    IConsumer<AppointmentOffered>, IConsumer<AttendanceReported>, IConsumer<ProgressReported>, IConsumer<OutcomeReported>,
    IConsumer<ReferralReminderDue>, IConsumer<ReferralEscalated>
{
    public const string Name = "feedback-inbox";
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
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
        string? escalateTo = null, bool cancelForExpiredConsent = false) => HandledMessages.HandleOnceAsync(db, Name, context, async ct =>
    {
        // Feedback about an unknown referral cannot be delivered to anyone: after the retries it goes to
        // the error queue, where an administrator can look at it and replay it.
        var referral = await db.Referrals.AsNoTracking().Where(r => r.Id == referralId)
                           .Select(r => new { r.CaseManagerId, r.Team, r.ConsentId }).SingleOrDefaultAsync(ct)
                       ?? throw new InvalidOperationException("Verweisung unbekannt – Rückmeldung kann niemandem zugestellt werden.");
        if (cancelForExpiredConsent)
        {
            try
            {
                var tracked = await db.Referrals.SingleAsync(r => r.Id == referralId, ct);
                await workflow.ApplyAsync(tracked, workflow.Machine.ConsentEnded,
                    new ConsentWithdrawn(referralId, referral.ConsentId ?? Guid.Empty, "consent-expired", occurredAt), Actor.System, "consent-expired", ct);
            }
            catch (ReferralProblem p) when (p.Status == 409)
            {
                return; // already ended: no notice needed
            }
        }

        var item = new InboxItem
        {
            Id = Guid.CreateVersion7(), ReferralId = referralId, SourceMessageId = context.MessageId!.Value, Kind = kind, Title = title,
            CaseManagerId = referral.CaseManagerId, FeedbackId = feedbackId, OccurredAt = occurredAt,
        };
        if (escalateTo == Roles.NetworkCoordinator)
            item.RecipientRole = Roles.NetworkCoordinator;
        else if (escalateTo is not null)
            (item.RecipientTeam, item.RecipientRole) = (referral.Team, Roles.TeamLead);
        else
        {
            var (absent, deputy) = await deputies.ForCaseManagerAsync(referral.CaseManagerId, ct);
            if (!absent) item.RecipientUserId = referral.CaseManagerId;
            else if (deputy is not null) item.RecipientUserId = deputy;
            else (item.RecipientTeam, item.RecipientRole) = (referral.Team, Roles.CaseManager);
        }
        db.InboxItems.Add(item);
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
