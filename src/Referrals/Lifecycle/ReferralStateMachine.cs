using MassTransit;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle.Contracts;

namespace Netzwerk.Referrals.Lifecycle;

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
/// The machine decides what is allowed (pages and API ask it: <see cref="AllowedEvents"/>) and what follows from it: the
/// messages to publish (through the transactional outbox) and the deadlines to start or cancel — this file is the only
/// place that starts or ends a referral's deadlines, and <see cref="StillApplies"/> says which ones a state still needs.
/// Consent, feedback level and authorisation are checked by the handlers before an event is raised. An event that is not
/// allowed in the current state throws <see cref="UnhandledEventException"/>, which the API turns into a 409.
/// Stored names (the row's current_state, the history's event) are the property names below, kept as constants in
/// <see cref="StateNames"/> and <see cref="EventNames"/> (a test holds them together).
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
            When(Sent)
                .Then(c => StartPartnerDeadlines(c.Saga, c.Message.At))
                .Then(c => c.Saga.Publish(new ReferralSentToPartner(c.Saga.CorrelationId, c.Saga.OrganizationId, c.Saga.ServiceId,
                    c.Saga.CaseManagerId, c.Message.At)))
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

    /// <summary>
    /// On sending: the partner's response deadline, the reminders before it and the escalation, from the route version the
    /// referral keeps; and the end of the consent, the day after it expires.
    /// </summary>
    private static void StartPartnerDeadlines(ReferralState saga, DateTimeOffset sentAt)
    {
        var route = saga.Route ?? throw new InvalidOperationException("The runner hands in the referral's route before it is sent.");
        saga.ScheduleDeadline(DeadlineKinds.PartnerResponse, WorkingDays.Add(sentAt, route.ResponseWorkingDays));
        foreach (var days in route.ReminderWorkingDays.Where(d => d < route.ResponseWorkingDays))
            saga.ScheduleDeadline(DeadlineKinds.Reminder, WorkingDays.Add(sentAt, days));
        saga.ScheduleDeadline(DeadlineKinds.Escalation, WorkingDays.Add(sentAt, route.EscalationWorkingDays), route.EscalationTarget);
        if (saga.Consent?.ExpiresOn is { } expires)
            saga.ScheduleDeadline(DeadlineKinds.ConsentExpiry, new DateTimeOffset(expires.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
    }

    /// <summary>Which states still need a due deadline of each kind; in any other the deadline is cancelled instead of fired.</summary>
    private static readonly Dictionary<string, string[]> StillNeededIn = new()
    {
        [DeadlineKinds.PartnerResponse] = [StateNames.Requested],
        [DeadlineKinds.Reminder] = [StateNames.Requested],
        [DeadlineKinds.Escalation] = [StateNames.Requested],
        [DeadlineKinds.Attendance] = [StateNames.Accepted],
        [DeadlineKinds.ConsentExpiry] = [StateNames.Draft, StateNames.Requested, StateNames.Accepted, StateNames.InProgress, StateNames.OnHold],
    };

    public static bool StillApplies(string deadlineKind, string stateName)
        => StillNeededIn.TryGetValue(deadlineKind, out var states) && states.Contains(stateName);

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
        if (saga.CurrentState != StateNames.Draft) EndPartnerAccess(saga, reason, at);
    }

    private Dictionary<string, IReadOnlySet<string>>? _allowed;

    /// <summary>
    /// The events the machine accepts in a state (MassTransit's <c>NextEvents</c>), by name (<see cref="EventNames"/>): what
    /// pages offer and the API lists as <c>allowedActions</c>. Handlers still check what the machine does not know (consent,
    /// feedback level, the route's forwarding rule).
    /// </summary>
    public IReadOnlySet<string> AllowedEvents(string stateName)
    {
        _allowed ??= States.ToDictionary(s => s.Name, s => (IReadOnlySet<string>)NextEvents(s).Select(e => e.Name)
            .Intersect(Events.Select(e => e.Name)).ToHashSet());
        return _allowed.GetValueOrDefault(stateName) ?? throw new InvalidOperationException($"Unknown state {stateName}");
    }

    /// <summary>Stored state names (referrals.current_state). Must equal the state properties' names.</summary>
    public static class StateNames
    {
        public const string Initial = "Initial";
        public const string Final = "Final";
        public const string Draft = nameof(ReferralStateMachine.Draft);
        public const string Requested = nameof(ReferralStateMachine.Requested);
        public const string Accepted = nameof(ReferralStateMachine.Accepted);
        public const string Rejected = nameof(ReferralStateMachine.Rejected);
        public const string Cancelled = nameof(ReferralStateMachine.Cancelled);
        public const string InProgress = nameof(ReferralStateMachine.InProgress);
        public const string OnHold = nameof(ReferralStateMachine.OnHold);
        public const string Completed = nameof(ReferralStateMachine.Completed);
        public const string Failed = nameof(ReferralStateMachine.Failed);
        public const string EnteredInError = nameof(ReferralStateMachine.EnteredInError);
    }

    /// <summary>Stored event names (referrals.history.event, figures, history labels). Must equal the event properties' names.</summary>
    public static class EventNames
    {
        public const string Drafted = nameof(ReferralStateMachine.Drafted);
        public const string Sent = nameof(ReferralStateMachine.Sent);
        public const string PartnerAccepted = nameof(ReferralStateMachine.PartnerAccepted);
        public const string PartnerDeclined = nameof(ReferralStateMachine.PartnerDeclined);
        public const string PartnerWaitlisted = nameof(ReferralStateMachine.PartnerWaitlisted);
        public const string PartnerProposedForwarding = nameof(ReferralStateMachine.PartnerProposedForwarding);
        public const string PartnerOfferedAppointment = nameof(ReferralStateMachine.PartnerOfferedAppointment);
        public const string PartnerReportedAttendance = nameof(ReferralStateMachine.PartnerReportedAttendance);
        public const string PartnerReportedProgress = nameof(ReferralStateMachine.PartnerReportedProgress);
        public const string PartnerReportedOutcome = nameof(ReferralStateMachine.PartnerReportedOutcome);
        public const string CancelledByCaseManager = nameof(ReferralStateMachine.CancelledByCaseManager);
        public const string ConsentEnded = nameof(ReferralStateMachine.ConsentEnded);
        public const string MarkedEnteredInError = nameof(ReferralStateMachine.MarkedEnteredInError);
        public const string Closed = nameof(ReferralStateMachine.Closed);

        /// <summary>What the partner may do (its view's allowedActions).</summary>
        public static readonly string[] ByPartner = [PartnerAccepted, PartnerDeclined, PartnerWaitlisted, PartnerProposedForwarding,
            PartnerOfferedAppointment, PartnerReportedAttendance, PartnerReportedProgress, PartnerReportedOutcome];
        /// <summary>What the Fallmanager may do (the case-work view's allowedActions).</summary>
        public static readonly string[] ByCaseManager = [Sent, CancelledByCaseManager, MarkedEnteredInError, Closed];
    }

    /// <summary>FHIR status code of a state name (what the API and the referral row show).</summary>
    public static string StatusOf(string stateName) => stateName switch
    {
        StateNames.Draft => ReferralStatus.Draft,
        StateNames.Requested => ReferralStatus.Requested,
        StateNames.Accepted => ReferralStatus.Accepted,
        StateNames.Rejected => ReferralStatus.Rejected,
        StateNames.Cancelled => ReferralStatus.Cancelled,
        StateNames.InProgress => ReferralStatus.InProgress,
        StateNames.OnHold => ReferralStatus.OnHold,
        StateNames.Completed => ReferralStatus.Completed,
        StateNames.Failed => ReferralStatus.Failed,
        StateNames.EnteredInError => ReferralStatus.EnteredInError,
        _ => throw new InvalidOperationException($"Unknown state {stateName}"),
    };
}

/// <summary>Kinds of a referral's durable deadlines (owner <see cref="ReferralDeadlines.Name"/> in <c>workflows.deadlines</c>).</summary>
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
