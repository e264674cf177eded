using MassTransit;
using Netzwerk.Workflows.Contracts;

namespace Netzwerk.Workflows;

/// <summary>The referral was drafted by the Fallmanager (not published; it only creates the instance).</summary>
public sealed record ReferralDrafted(Guid ReferralId, Guid OrganizationId, Guid ServiceId, string CaseManagerId,
    string RouteCategory, int RouteVersion, DateTimeOffset At);

/// <summary>The consent a referral relies on was revoked or expired; the referral ends with it.</summary>
public sealed record ConsentWithdrawn(Guid ReferralId, Guid ConsentId, string Reason, DateTimeOffset At);

/// <summary>
/// The referral lifecycle (HL7 FHIR Task statuses, see DOMAIN.md). Read this first.
///
///   draft ──send──▶ requested ──accept──▶ accepted ──attended/progress──▶ in-progress ──close──▶ completed | failed
///                       │ decline ▶ rejected   │ waitlist ▶ on-hold ◀──────────┘
///   cancel / consent withdrawn ▶ cancelled (any open state);  entered-in-error from every state but itself.
///
/// The machine decides only what is allowed and what follows from it: the messages to publish (through
/// the transactional outbox) and the deadlines to start or cancel. Consent, feedback level and
/// authorisation are checked by the handlers before an event is raised. An event that is not allowed in
/// the current state throws <see cref="UnhandledEventException"/>, which the API turns into a 409.
/// </summary>
public sealed class ReferralStateMachine : MassTransitStateMachine<ReferralState>
{
    /// <summary>Working days after an appointment until the partner should have reported attendance.</summary>
    public const int AttendanceFeedbackWorkingDays = 2;

    public State Draft { get; private set; } = null!;
    public State Requested { get; private set; } = null!;
    public State Accepted { get; private set; } = null!;
    public State Rejected { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;
    public State InProgress { get; private set; } = null!;
    public State OnHold { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State EnteredInError { get; private set; } = null!;

    public Event<ReferralDrafted> Drafted { get; private set; } = null!;
    public Event<ReferralRequested> Sent { get; private set; } = null!;
    public Event<ReferralAccepted> PartnerAccepted { get; private set; } = null!;
    public Event<ReferralDeclined> PartnerDeclined { get; private set; } = null!;
    public Event<ReferralWaitlisted> PartnerWaitlisted { get; private set; } = null!;
    public Event<ForwardingProposed> PartnerProposedForwarding { get; private set; } = null!;
    public Event<AppointmentOffered> PartnerOfferedAppointment { get; private set; } = null!;
    public Event<AttendanceReported> PartnerReportedAttendance { get; private set; } = null!;
    public Event<ProgressReported> PartnerReportedProgress { get; private set; } = null!;
    public Event<OutcomeReported> PartnerReportedOutcome { get; private set; } = null!;
    public Event<ReferralCancelled> CancelledByCaseManager { get; private set; } = null!;
    public Event<ConsentWithdrawn> ConsentEnded { get; private set; } = null!;
    public Event<ReferralEnteredInError> MarkedEnteredInError { get; private set; } = null!;
    public Event<ReferralClosed> Closed { get; private set; } = null!;

    public ReferralStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Initially(
            When(Drafted)
                .Then(c =>
                {
                    c.Saga.OrganizationId = c.Message.OrganizationId;
                    c.Saga.ServiceId = c.Message.ServiceId;
                    c.Saga.CaseManagerId = c.Message.CaseManagerId;
                    c.Saga.RouteCategory = c.Message.RouteCategory;
                    c.Saga.RouteVersion = c.Message.RouteVersion;
                })
                .TransitionTo(Draft));

        During(Draft,
            // The routing consumer starts the response, reminder and escalation deadlines.
            When(Sent)
                .Then(c => c.Saga.Publish(c.Message))
                .TransitionTo(Requested));

        During(Requested, OnHold,
            When(PartnerAccepted)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.AwaitingResponse))
                .Then(c => ExpectAttendance(c.Saga, c.Message.AppointmentAt))
                .TransitionTo(Accepted),
            When(PartnerDeclined)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.All))
                .Then(c => EndPartnerAccess(c.Saga, "declined", c.Message.At))
                .TransitionTo(Rejected));

        During(Requested,
            When(PartnerWaitlisted)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.AwaitingResponse))
                .TransitionTo(OnHold),
            // A proposal only: the Fallmanager decides whether to refer elsewhere.
            When(PartnerProposedForwarding)
                .Then(c => c.Saga.Publish(c.Message)));

        During(Accepted, InProgress,
            When(PartnerOfferedAppointment)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => ExpectAttendance(c.Saga, c.Message.AppointmentAt)),
            When(PartnerWaitlisted)
                .Then(c => c.Saga.Publish(c.Message))
                .TransitionTo(OnHold),
            When(PartnerProposedForwarding)
                .Then(c => c.Saga.Publish(c.Message)),
            When(PartnerReportedProgress)
                .Then(c => c.Saga.Publish(c.Message))
                .TransitionTo(InProgress),
            // The partner proposes an outcome; the referral stays open until the Fallmanager closes it.
            When(PartnerReportedOutcome)
                .Then(c => c.Saga.Publish(c.Message)));

        During(Accepted,
            When(PartnerReportedAttendance)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.Attendance))
                .If(c => c.Message.Attended, x => x.TransitionTo(InProgress)));

        During(InProgress,
            When(PartnerReportedAttendance)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.Attendance)));

        During(OnHold,
            When(PartnerReportedProgress)
                .Then(c => c.Saga.Publish(c.Message))
                .TransitionTo(InProgress));

        // Only the Fallmanager (or deputy) closes; the handler checks who.
        During([Requested, Accepted, InProgress, OnHold],
            When(Closed)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.All))
                .Then(c => EndPartnerAccess(c.Saga, "closed", c.Message.At))
                .IfElse(c => c.Message.Successful,
                    x => x.TransitionTo(Completed),
                    x => x.TransitionTo(Failed)));

        During([Draft, Requested, Accepted, InProgress, OnHold],
            When(CancelledByCaseManager)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.All))
                .Then(c => EndPartnerAccessIfSent(c.Saga, "cancelled", c.Message.At))
                .TransitionTo(Cancelled),
            When(ConsentEnded)
                .Then(c => c.Saga.Publish(new ReferralCancelled(c.Saga.CorrelationId, c.Saga.OrganizationId, c.Message.Reason, "system", c.Message.At)))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.All))
                .Then(c => EndPartnerAccessIfSent(c.Saga, c.Message.Reason, c.Message.At))
                .TransitionTo(Cancelled));

        During([Draft, Requested, Accepted, InProgress, OnHold, Rejected, Cancelled, Completed, Failed],
            When(MarkedEnteredInError)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.All))
                .Then(c => EndPartnerAccessIfSent(c.Saga, "entered-in-error", c.Message.At))
                .TransitionTo(EnteredInError));
    }

    private static void ExpectAttendance(ReferralState saga, DateTimeOffset? appointmentAt)
    {
        if (appointmentAt is null) return;
        saga.AppointmentAt = appointmentAt;
        saga.CancelDeadlines(DeadlineKinds.Attendance);
        saga.ScheduleDeadline(DeadlineKinds.Attendance, WorkingDays.Add(appointmentAt.Value, AttendanceFeedbackWorkingDays));
    }

    private static void EndPartnerAccess(ReferralState saga, string reason, DateTimeOffset at)
        => saga.Publish(new PartnerAccessEnded(saga.CorrelationId, saga.OrganizationId, reason, at));

    // A draft was never visible to the partner: nothing to end.
    private static void EndPartnerAccessIfSent(ReferralState saga, string reason, DateTimeOffset at)
    {
        if (saga.CurrentState != nameof(Draft)) EndPartnerAccess(saga, reason, at);
    }

    /// <summary>FHIR status code of a state name (what the API and the referral row show).</summary>
    public static string StatusOf(string stateName) => stateName switch
    {
        nameof(Draft) => ReferralStatus.Draft,
        nameof(Requested) => ReferralStatus.Requested,
        nameof(Accepted) => ReferralStatus.Accepted,
        nameof(Rejected) => ReferralStatus.Rejected,
        nameof(Cancelled) => ReferralStatus.Cancelled,
        nameof(InProgress) => ReferralStatus.InProgress,
        nameof(OnHold) => ReferralStatus.OnHold,
        nameof(Completed) => ReferralStatus.Completed,
        nameof(Failed) => ReferralStatus.Failed,
        nameof(EnteredInError) => ReferralStatus.EnteredInError,
        _ => throw new InvalidOperationException($"Unknown state {stateName}"),
    };
}

/// <summary>Referral statuses as the API shows them (HL7 FHIR Task status codes).</summary>
public static class ReferralStatus
{
    public const string Draft = "draft";
    public const string Requested = "requested";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string Cancelled = "cancelled";
    public const string InProgress = "in-progress";
    public const string OnHold = "on-hold";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string EnteredInError = "entered-in-error";

    public static readonly string[] All = [Draft, Requested, Accepted, Rejected, Cancelled, InProgress, OnHold, Completed, Failed, EnteredInError];
    public static readonly string[] Open = [Draft, Requested, Accepted, InProgress, OnHold];
    /// <summary>Statuses in which the partner sees the client data.</summary>
    public static readonly string[] VisibleToPartner = [Requested, Accepted, InProgress, OnHold];

    public static readonly IReadOnlyDictionary<string, string> German = new Dictionary<string, string>
    {
        [Draft] = "Entwurf", [Requested] = "Gesendet", [Accepted] = "Angenommen", [Rejected] = "Abgelehnt",
        [Cancelled] = "Storniert", [InProgress] = "In Betreuung", [OnHold] = "Warteliste",
        [Completed] = "Erfolgreich abgeschlossen", [Failed] = "Ohne Erfolg beendet", [EnteredInError] = "Irrtümlich erfasst",
    };
}

/// <summary>
/// Raises an event on the machine outside a message consumer (MassTransit 8 has no public
/// <c>RaiseEvent(instance, event, data)</c> any more). The contexts MassTransit expects are stood in for
/// by a proxy without a transport: saga, message and payloads work; activities must not publish
/// themselves — they collect messages on the instance, which the caller writes to the outbox.
/// </summary>
public static class StateMachineRunner
{
    public static Task RaiseEvent<T>(this ReferralStateMachine machine, ReferralState instance, Event<T> @event, T data)
        where T : class
    {
        var saga = DetachedContext.Create<SagaConsumeContext<ReferralState, T>>(instance, data);
        var context = new MassTransitStateMachine<ReferralState>.BehaviorContextProxy<T>(machine, saga, saga, @event);
        return ((StateMachine<ReferralState>)machine).RaiseEvent(context);
    }

    public class DetachedContext : System.Reflection.DispatchProxy
    {
        private object? _saga;
        private object? _message;
        private Dictionary<Type, object?> _payloads = [];
        private readonly Dictionary<Type, object> _parts = [];

        public static TContext Create<TContext>(object? saga, object? message) where TContext : class
            => (TContext)Create(typeof(TContext), saga, message, []);

        private static object Create(Type contextType, object? saga, object? message, Dictionary<Type, object?> payloads)
        {
            var proxy = (DetachedContext)Create(contextType, typeof(DetachedContext));
            proxy._saga = saga;
            proxy._message = message;
            proxy._payloads = payloads;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
        {
            if (method is null) return null;
            switch (method.Name)
            {
                case "get_Saga": return _saga;
                case "get_Message": return _message;
                case "get_CancellationToken": return CancellationToken.None;
                case "HasPayloadType": return _payloads.ContainsKey((Type)args![0]!);
                case "TryGetPayload":
                    args![0] = _payloads.GetValueOrDefault(method.GetGenericArguments()[0]);
                    return args[0] is not null;
                case "GetOrAddPayload":
                {
                    var type = method.GetGenericArguments()[0];
                    if (!_payloads.TryGetValue(type, out var value))
                        _payloads[type] = value = ((Delegate)args![0]!).DynamicInvoke();
                    return value;
                }
            }
            var returns = method.ReturnType;
            if (returns == typeof(void)) return null;
            if (returns == typeof(Task)) return Task.CompletedTask;
            if (typeof(Task).IsAssignableFrom(returns))
                throw new NotSupportedException($"{method.Name} needs a message transport; collect messages on the instance instead.");
            if (returns.IsValueType) return Activator.CreateInstance(returns);
            if (returns.IsInterface && !returns.IsGenericType && returns.Namespace == "MassTransit")
            {
                // ReceiveContext, SerializerContext, …: empty stand-ins rather than nulls.
                if (!_parts.TryGetValue(returns, out var part)) _parts[returns] = part = Create(returns, _saga, _message, _payloads);
                return part;
            }
            return null;
        }
    }
}
