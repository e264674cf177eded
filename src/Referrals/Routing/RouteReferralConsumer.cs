using MassTransit;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Referrals.Routes;
using Netzwerk.Workflows;
using Netzwerk.Workflows.Contracts;
using Netzwerk.Workflows.Inbox;
using Netzwerk.Workflows.Outbox;

namespace Netzwerk.Referrals.Routing;

/// <summary>
/// Routes a requested referral to the partner: starts its deadlines from the route version the referral
/// keeps (response, reminders, escalation, consent expiry) and announces <see cref="ReferralSentToPartner"/>
/// (the access-link e-mail hangs on it). Idempotent through the inbox of handled message ids.
/// </summary>
public sealed class RouteReferralConsumer(ReferralsDb db, RouteVersions routes, TimeProvider clock) : IConsumer<ReferralRequested>
{
    public const string Name = "route-referral";

    private sealed record Routable(string Status, DateOnly? ConsentExpiresOn);

    // Only what routing needs, in one read: nothing here changes the referral or its consent. Compiled, like the access check.
    private static readonly Func<ReferralsDb, Guid, CancellationToken, Task<Routable?>> Load = EF.CompileAsyncQuery(
        (ReferralsDb db, Guid id, CancellationToken ct) => (from r in db.Referrals.AsNoTracking()
                                                         where r.Id == id
                                                         join c in db.Consents on r.ConsentId equals (Guid?)c.Id into consents
                                                         from c in consents.DefaultIfEmpty()
                                                         select new Routable(r.Status, c == null ? null : c.ExpiresOn)).SingleOrDefault());

    public Task Consume(ConsumeContext<ReferralRequested> context) => HandledMessages.HandleOnceAsync(db, Name, context, async ct =>
    {
        var m = context.Message;
        var referral = await Load(db, m.ReferralId, ct);
        if (referral is null || !ReferralStatus.VisibleToPartner.Contains(referral.Status))
            return; // cancelled before it was routed: nothing to start
        var route = await routes.GetAsync(db, m.RouteCategory, m.RouteVersion, ct);
        void Add(string kind, DateTimeOffset due, string? detail = null) =>
            db.Deadlines.Add(new Deadline { Id = Guid.CreateVersion7(), ReferralId = m.ReferralId, Kind = kind, DueAt = due, Detail = detail });

        if (referral.Status == ReferralStatus.Requested)
        {
            Add(DeadlineKinds.PartnerResponse, WorkingDays.Add(m.At, route.ResponseWorkingDays));
            foreach (var days in route.ReminderWorkingDays.Where(d => d < route.ResponseWorkingDays))
                Add(DeadlineKinds.Reminder, WorkingDays.Add(m.At, days));
            Add(DeadlineKinds.Escalation, WorkingDays.Add(m.At, route.EscalationWorkingDays), route.EscalationTarget);
        }
        if (referral.ConsentExpiresOn is { } expires)
            Add(DeadlineKinds.ConsentExpiry, new DateTimeOffset(expires.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

        db.Outbox.Add(OutboxMessage.For(new ReferralSentToPartner(m.ReferralId, m.OrganizationId, m.ServiceId, m.CaseManagerId, clock.GetUtcNow())));
    });
}

public sealed class RouteReferralConsumerDefinition : ConsumerDefinition<RouteReferralConsumer>
{
    public RouteReferralConsumerDefinition() => EndpointName = "referrals-route";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<RouteReferralConsumer> consumer,
        IRegistrationContext context)
    {
        // Transient faults (deadlock, serialization, broker hiccup): retry in memory; after that → _error queue.
        endpoint.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
        endpoint.PrefetchCount = 32;
    }
}
