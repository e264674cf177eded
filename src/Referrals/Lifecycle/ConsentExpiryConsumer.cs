using MassTransit;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Messaging;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Workflows.Inbox;

namespace Netzwerk.Referrals.Lifecycle;

/// <summary>
/// A referral's consent expired: the machine ends the referral (<c>ConsentEnded</c>, which cancels it, ends the partner's
/// access and publishes <see cref="ReferralCancelled"/> with reason <see cref="CancellationReasons.ConsentExpired"/>).
/// Idempotent through the inbox of handled message ids; a referral that ended meanwhile stays as it is.
/// </summary>
public sealed class ConsentExpiryConsumer(ReferralsDb db, ReferralWorkflow workflow) : IConsumer<ReferralConsentExpired>
{
    public const string Name = "consent-expiry";

    public Task Consume(ConsumeContext<ReferralConsentExpired> context) => HandledMessages.HandleOnceAsync(db, Name, context, async ct =>
    {
        var m = context.Message;
        var referral = await db.Referrals.AsNoTracking().Include(r => r.Workflow).SingleOrDefaultAsync(r => r.Id == m.ReferralId, ct);
        if (referral?.Workflow is not { } state
            || !workflow.Machine.AllowedEvents(state.CurrentState).Contains(ReferralStateMachine.EventNames.ConsentEnded))
            return;
        await workflow.ApplyAsync(referral, workflow.Machine.ConsentEnded,
            new ConsentWithdrawn(referral.Id, referral.ConsentId ?? Guid.Empty, CancellationReasons.ConsentExpired, m.DueAt),
            Actor.System, CancellationReasons.ConsentExpired, ct);
    });
}

public sealed class ConsentExpiryConsumerDefinition : ConsumerDefinition<ConsentExpiryConsumer>
{
    public ConsentExpiryConsumerDefinition() => EndpointName = "referrals-consent-expiry";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ConsentExpiryConsumer> consumer,
        IRegistrationContext context)
    {
        // Transient faults (deadlock, serialization, a concurrent change of the referral, a database restart): retry in memory;
        // after that → _error queue.
        endpoint.UseMessageRetry(MessageRetry.WhileDatabaseAway);
        endpoint.UseMessageRetry(MessageRetry.Quick);
    }
}
