using System.Diagnostics.CodeAnalysis;
using System.Net.Mime;
using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;

namespace Netzwerk.Referrals.Lifecycle;

/// <summary>
/// Raises an event on the machine outside a message consumer: MassTransit 8 has no public <c>RaiseEvent(instance, event, data)</c>,
/// only <c>RaiseEvent(BehaviorContext)</c>, whose public implementation (<c>BehaviorContextProxy</c>) wraps a saga consume
/// context. That context is ours: an ordinary class on MassTransit's public <see cref="BaseConsumeContext"/>, with the saga,
/// the message and payloads, and no transport behind it — so activities must not publish themselves; they collect messages
/// on the instance, which <see cref="ReferralWorkflow"/> writes to the outbox.
/// </summary>
public static class StateMachineRunner
{
    public static Task RaiseEvent<T>(this ReferralStateMachine machine, ReferralState instance, Event<T> @event, T data)
        where T : class
    {
        var saga = new DetachedSagaContext<T>(instance, data);
        var context = new MassTransitStateMachine<ReferralState>.BehaviorContextProxy<T>(machine, saga, saga, @event);
        return ((StateMachine<ReferralState>)machine).RaiseEvent(context);
    }

    private sealed class DetachedSagaContext<T>(ReferralState saga, T message)
        : BaseConsumeContext(NoTransport.Instance, null!), SagaConsumeContext<ReferralState, T>
        where T : class
    {
        private Dictionary<Type, object>? _payloads;

        public ReferralState Saga => saga;
        public T Message => message;
        public bool IsCompleted { get; private set; }

        public Task SetCompleted()
        {
            IsCompleted = true;
            return Task.CompletedTask;
        }

        public override CancellationToken CancellationToken => CancellationToken.None;

        public override bool HasPayloadType(Type payloadType) => payloadType.IsInstanceOfType(this) || _payloads?.ContainsKey(payloadType) == true;

        public override bool TryGetPayload<TPayload>([NotNullWhen(true)] out TPayload? payload) where TPayload : class
        {
            payload = this as TPayload ?? _payloads?.GetValueOrDefault(typeof(TPayload)) as TPayload;
            return payload is not null;
        }

        public override TPayload GetOrAddPayload<TPayload>(PayloadFactory<TPayload> payloadFactory)
        {
            if (TryGetPayload<TPayload>(out var existing)) return existing;
            var payload = payloadFactory();
            (_payloads ??= [])[typeof(TPayload)] = payload;
            return payload;
        }

        public override TPayload AddOrUpdatePayload<TPayload>(PayloadFactory<TPayload> addFactory, UpdatePayloadFactory<TPayload> updateFactory)
        {
            var payload = TryGetPayload<TPayload>(out var existing) ? updateFactory(existing) : addFactory();
            (_payloads ??= [])[typeof(TPayload)] = payload;
            return payload;
        }

        public override Task ConsumeCompleted => Task.CompletedTask;
        public override Guid? MessageId => null;
        public override Guid? RequestId => null;
        public override Guid? CorrelationId => saga.CorrelationId;
        public override Guid? ConversationId => null;
        public override Guid? InitiatorId => null;
        public override DateTime? ExpirationTime => null;
        public override Uri SourceAddress => null!;
        public override Uri DestinationAddress => null!;
        public override Uri ResponseAddress => null!;
        public override Uri FaultAddress => null!;
        public override DateTime? SentTime => null;
        public override Headers Headers => EmptyHeaders.Instance;
        public override HostInfo Host => null!;
        public override IEnumerable<string> SupportedMessageTypes => [];
        public override bool HasMessageType(Type messageType) => messageType.IsAssignableFrom(typeof(T));

        public override bool TryGetMessage<TMessage>([NotNullWhen(true)] out ConsumeContext<TMessage>? consumeContext) where TMessage : class
        {
            consumeContext = this as ConsumeContext<TMessage>;
            return consumeContext is not null;
        }

        public override void AddConsumeTask(Task task) { }
        public Task NotifyConsumed(TimeSpan duration, string consumerType) => Task.CompletedTask;
        public Task NotifyFaulted(TimeSpan duration, string consumerType, Exception exception) => Task.CompletedTask;
    }

    /// <summary>The receive side MassTransit's contexts ask for when they are built; nothing is ever received or sent through it.</summary>
    private sealed class NoTransport : ReceiveContext
    {
        public static readonly NoTransport Instance = new();

        public CancellationToken CancellationToken => CancellationToken.None;
        public bool HasPayloadType(Type payloadType) => false;

        public bool TryGetPayload<TPayload>([NotNullWhen(true)] out TPayload? payload) where TPayload : class
        {
            payload = null;
            return false;
        }

        public TPayload GetOrAddPayload<TPayload>(PayloadFactory<TPayload> payloadFactory) where TPayload : class => payloadFactory();

        public TPayload AddOrUpdatePayload<TPayload>(PayloadFactory<TPayload> addFactory, UpdatePayloadFactory<TPayload> updateFactory)
            where TPayload : class => addFactory();

        public TimeSpan ElapsedTime => TimeSpan.Zero;
        public Uri InputAddress => null!;
        public ContentType ContentType => null!;
        public bool Redelivered => false;
        public Headers TransportHeaders => EmptyHeaders.Instance;
        public Task ReceiveCompleted => Task.CompletedTask;
        public bool IsDelivered => false;
        public bool IsFaulted => false;
        public ISendEndpointProvider SendEndpointProvider => throw NoTransportHere();
        public IPublishEndpointProvider PublishEndpointProvider => null!; // read when a context is built, used only to publish
        public bool PublishFaults => false;
        public MessageBody Body => throw NoTransportHere();

        public Task NotifyConsumed<TMessage>(ConsumeContext<TMessage> context, TimeSpan duration, string consumerType) where TMessage : class
            => Task.CompletedTask;

        public Task NotifyFaulted<TMessage>(ConsumeContext<TMessage> context, TimeSpan duration, string consumerType, Exception exception)
            where TMessage : class => Task.CompletedTask;

        public Task NotifyFaulted(Exception exception) => Task.CompletedTask;
        public void AddReceiveTask(Task task) { }

        private static NotSupportedException NoTransportHere()
            => new("The referral machine runs without a transport: activities collect messages on the instance instead of sending them.");
    }
}
