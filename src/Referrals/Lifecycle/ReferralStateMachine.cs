using MassTransit;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Routes;
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
///     └─submit─▶ awaiting-approval ─approve─┘ (routes with Teamleitung approval; refused ▶ back to draft)
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
    public State AwaitingApproval { get; private set; } = null!;
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
    public Event<ReferralRequested> SubmittedForApproval { get; private set; } = null!;
    public Event<ReferralApproved> Approved { get; private set; } = null!;
    public Event<ReferralApprovalRefused> ApprovalRefused { get; private set; } = null!;
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

        // Which of the two a Fallmanager's "send" is, the route decides: SendEventFor.
        During(Draft,
            When(Sent)
                .Then(c => SendToPartner(c.Saga, c.Message.At))
                .TransitionTo(Requested),
            When(SubmittedForApproval)
                .Then(c => c.Saga.Publish(new ReferralApprovalRequested(c.Saga.CorrelationId, c.Saga.CaseManagerId, c.Message.At)))
                .TransitionTo(AwaitingApproval));

        // Only the Teamleitung of the referral's team decides; the handler checks who.
        During(AwaitingApproval,
            When(Approved)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => SendToPartner(c.Saga, c.Message.At))
                .TransitionTo(Requested),
            When(ApprovalRefused)
                .Then(c => c.Saga.Publish(c.Message))
                .TransitionTo(Draft));

        During(Requested, OnHold,
            When(PartnerAccepted)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.AwaitingResponse))
                .Then(c => ExpectAppointmentOrAttendance(c.Saga, c.Message.AppointmentAt, c.Message.At))
                .Then(c => ExpectProgress(c.Saga, c.Message.At))
                .Then(c => AskForProgress(c.Saga, c.Message.At))
                .Then(c => HeardFromPartner(c.Saga, c.Message.At))
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
                .Then(c => HeardFromPartner(c.Saga, c.Message.At))
                .TransitionTo(OnHold),
            // A proposal only: the Fallmanager decides whether to refer elsewhere.
            When(PartnerProposedForwarding)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => HeardFromPartner(c.Saga, c.Message.At)));

        During(Accepted, InProgress,
            When(PartnerOfferedAppointment)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => ExpectAppointmentOrAttendance(c.Saga, c.Message.AppointmentAt, c.Message.At))
                .Then(c => HeardFromPartner(c.Saga, c.Message.At)),
            When(PartnerWaitlisted)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => HeardFromPartner(c.Saga, c.Message.At))
                .TransitionTo(OnHold),
            When(PartnerProposedForwarding)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => HeardFromPartner(c.Saga, c.Message.At)),
            When(PartnerReportedProgress)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => ExpectProgress(c.Saga, c.Message.At))
                .Then(c => AskForProgress(c.Saga, c.Message.At))
                .Then(c => HeardFromPartner(c.Saga, c.Message.At))
                .TransitionTo(InProgress),
            // The partner proposes an outcome; the referral stays open until the Fallmanager closes it.
            When(PartnerReportedOutcome)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => HeardFromPartner(c.Saga, c.Message.At)));

        During(Accepted,
            When(PartnerReportedAttendance)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.Attendance, DeadlineKinds.AttendancePrompt, DeadlineKinds.AppointmentExpected))
                .Then(c => HeardFromPartner(c.Saga, c.Message.At))
                .If(c => c.Message.Attended, x => x.Then(c => AskForProgress(c.Saga, c.Message.At)).TransitionTo(InProgress)));

        During(InProgress,
            When(PartnerReportedAttendance)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.Attendance, DeadlineKinds.AttendancePrompt))
                .Then(c => HeardFromPartner(c.Saga, c.Message.At)));

        During(OnHold,
            When(PartnerReportedProgress)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => ExpectProgress(c.Saga, c.Message.At))
                .Then(c => HeardFromPartner(c.Saga, c.Message.At))
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

        During([Draft, AwaitingApproval, Requested, Accepted, InProgress, OnHold],
            When(CancelledByCaseManager)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.All))
                .Then(c => EndPartnerAccessIfSent(c.Saga, "cancelled", c.Message.At))
                .Then(c => TellPartnerItEnded(c.Saga))
                .TransitionTo(Cancelled),
            When(ConsentEnded)
                .Then(c => c.Saga.Publish(new ReferralCancelled(c.Saga.CorrelationId, c.Saga.OrganizationId, c.Message.Reason, "system", c.Message.At)))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.All))
                .Then(c => EndPartnerAccessIfSent(c.Saga, c.Message.Reason, c.Message.At))
                .Then(c => TellPartnerItEnded(c.Saga))
                .TransitionTo(Cancelled));

        During([Draft, AwaitingApproval, Requested, Accepted, InProgress, OnHold, Rejected, Cancelled, Completed, Failed],
            When(MarkedEnteredInError)
                .Then(c => c.Saga.Publish(c.Message))
                .Then(c => c.Saga.CancelDeadlines(DeadlineKinds.All))
                .Then(c => EndPartnerAccessIfSent(c.Saga, "entered-in-error", c.Message.At))
                .TransitionTo(EnteredInError));
    }

    /// <summary>What the Fallmanager's "send" is on this route: straight to the partner, or first to the Teamleitung.</summary>
    public Event<ReferralRequested> SendEventFor(ReferralRoute route) => route.Approval is null ? Sent : SubmittedForApproval;

    private static ReferralRoute RouteOf(ReferralState saga)
        => saga.Route ?? throw new InvalidOperationException("The runner hands in the referral's route before raising an event.");

    /// <summary>
    /// The referral reaches the partner (sent, or approved by the Teamleitung): the partner's response deadline, the reminders
    /// before it and the escalation, the review against the Kooperationsplan goal and the proposal to close when nothing
    /// comes back — all from the route version the referral keeps — and the end of the consent, the day after it expires.
    /// </summary>
    private static void SendToPartner(ReferralState saga, DateTimeOffset sentAt)
    {
        var route = RouteOf(saga);
        saga.ScheduleDeadline(DeadlineKinds.PartnerResponse, WorkingDays.Add(sentAt, route.ResponseWorkingDays));
        foreach (var days in route.ReminderWorkingDays.Where(d => d < route.ResponseWorkingDays))
            saga.ScheduleDeadline(DeadlineKinds.Reminder, WorkingDays.Add(sentAt, days));
        saga.ScheduleDeadline(DeadlineKinds.Escalation, WorkingDays.Add(sentAt, route.EscalationWorkingDays), route.EscalationTarget);
        if (saga.Consent?.ExpiresOn is { } expires)
            saga.ScheduleDeadline(DeadlineKinds.ConsentExpiry, new DateTimeOffset(expires.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        if (route.GoalReviewEveryMonths is { } months)
            saga.ScheduleDeadline(DeadlineKinds.GoalReview, sentAt.AddMonths(months), Every(months));
        if (route.CloseProposalAfterWorkingDays is { } quiet)
            saga.ScheduleDeadline(DeadlineKinds.CloseProposal, WorkingDays.Add(sentAt, quiet));
        saga.Publish(new ReferralSentToPartner(saga.CorrelationId, saga.OrganizationId, saga.ServiceId, saga.CaseManagerId, sentAt));
    }

    /// <summary>Any news from the partner restarts the wait after which closing is proposed.</summary>
    private static void HeardFromPartner(ReferralState saga, DateTimeOffset at)
    {
        if (RouteOf(saga).CloseProposalAfterWorkingDays is not { } quiet) return;
        saga.CancelDeadlines(DeadlineKinds.CloseProposal);
        saga.ScheduleDeadline(DeadlineKinds.CloseProposal, WorkingDays.Add(at, quiet));
    }

    /// <summary>Periodic progress reports: the next one is due N weeks after acceptance or after the last report.</summary>
    private static void ExpectProgress(ReferralState saga, DateTimeOffset at)
    {
        if (RouteOf(saga).ProgressEveryWeeks is not { } weeks) return;
        saga.CancelDeadlines(DeadlineKinds.ProgressReport);
        saga.ScheduleDeadline(DeadlineKinds.ProgressReport, at.AddDays(7 * weeks), Every(weeks));
    }

    /// <summary>
    /// "Bitte kurzen Zwischenstand melden" by e-mail every N weeks where the route's prompt step asks for it: counted from
    /// acceptance, and again from attendance or each report (news from the partner restarts the interval).
    /// </summary>
    private static void AskForProgress(ReferralState saga, DateTimeOffset at)
    {
        if (RouteOf(saga).Prompts is not { Progress: true, ProgressEveryWeeks: { } weeks and > 0 }) return;
        saga.CancelDeadlines(DeadlineKinds.ProgressPrompt);
        saga.ScheduleDeadline(DeadlineKinds.ProgressPrompt, at.AddDays(7 * weeks), Every(weeks));
    }

    /// <summary>A recurring deadline carries its interval (weeks or months) so that its next round can be started as it fires.</summary>
    private static string Every(int interval) => interval.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The next round of a recurring deadline that fired: same interval, counted from when it was due (not from a late poll).</summary>
    public static DateTimeOffset? NextRound(string kind, DateTimeOffset dueAt, string? detail, DateTimeOffset now)
    {
        if (!int.TryParse(detail, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1)
            return null;
        Func<DateTimeOffset, DateTimeOffset>? step = kind switch
        {
            DeadlineKinds.ProgressReport or DeadlineKinds.ProgressPrompt => d => d.AddDays(7 * n),
            DeadlineKinds.GoalReview => d => d.AddMonths(n),
            _ => null,
        };
        if (step is null) return null;
        var next = step(dueAt);
        while (next <= now) next = step(next); // after a long outage: one round now, not one per missed interval
        return next;
    }

    /// <summary>Which states still need a due deadline of each kind; in any other the deadline is cancelled instead of fired.</summary>
    private static readonly Dictionary<string, string[]> StillNeededIn = new()
    {
        [DeadlineKinds.PartnerResponse] = [StateNames.Requested],
        [DeadlineKinds.Reminder] = [StateNames.Requested],
        [DeadlineKinds.Escalation] = [StateNames.Requested],
        [DeadlineKinds.Attendance] = [StateNames.Accepted],
        [DeadlineKinds.AttendancePrompt] = [StateNames.Accepted],
        [DeadlineKinds.AppointmentExpected] = [StateNames.Accepted],
        [DeadlineKinds.ProgressReport] = [StateNames.Accepted, StateNames.InProgress],
        [DeadlineKinds.ProgressPrompt] = [StateNames.Accepted, StateNames.InProgress],
        [DeadlineKinds.GoalReview] = [StateNames.Requested, StateNames.Accepted, StateNames.InProgress, StateNames.OnHold],
        [DeadlineKinds.CloseProposal] = [StateNames.Requested, StateNames.Accepted, StateNames.InProgress, StateNames.OnHold],
        [DeadlineKinds.ConsentExpiry] = [StateNames.Draft, StateNames.AwaitingApproval, StateNames.Requested, StateNames.Accepted,
            StateNames.InProgress, StateNames.OnHold],
    };

    public static bool StillApplies(string deadlineKind, string stateName)
        => StillNeededIn.TryGetValue(deadlineKind, out var states) && states.Contains(stateName);

    /// <summary>
    /// With an appointment: its attendance is to be confirmed N working days later (the route's, else
    /// <see cref="AttendanceFeedbackWorkingDays"/>). Without one: where the route expects an appointment within N working
    /// days of acceptance, that wait starts.
    /// </summary>
    private static void ExpectAppointmentOrAttendance(ReferralState saga, DateTimeOffset? appointmentAt, DateTimeOffset at)
    {
        var route = RouteOf(saga);
        if (appointmentAt is null)
        {
            if (route.AppointmentWithinWorkingDays is { } within && saga.AppointmentAt is null)
                saga.ScheduleDeadline(DeadlineKinds.AppointmentExpected, WorkingDays.Add(at, within));
            return;
        }
        saga.AppointmentAt = appointmentAt;
        saga.CancelDeadlines(DeadlineKinds.Attendance, DeadlineKinds.AttendancePrompt, DeadlineKinds.AppointmentExpected);
        saga.ScheduleDeadline(DeadlineKinds.Attendance, WorkingDays.Add(appointmentAt.Value, route.AttendanceWorkingDays ?? AttendanceFeedbackWorkingDays));
        // The partner is asked by e-mail on the working day after the appointment (before the staff reminder, which waits longer).
        if (route.Prompts.Attendance)
            saga.ScheduleDeadline(DeadlineKinds.AttendancePrompt, AttendancePromptAt(appointmentAt.Value));
    }

    /// <summary>8:00 (Berlin) on the first working day after the appointment's day.</summary>
    public static DateTimeOffset AttendancePromptAt(DateTimeOffset appointmentAt)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(appointmentAt, GermanTime.Berlin).Date).AddDays(1);
        while (!WorkingDays.IsWorkingDay(day)) day = day.AddDays(1);
        var local = day.ToDateTime(new TimeOnly(8, 0));
        return new DateTimeOffset(local, GermanTime.Berlin.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>A referral the partner had seen ends by cancellation or revocation: the partner is told, if the route says so.</summary>
    private static void TellPartnerItEnded(ReferralState saga)
    {
        if (saga.CurrentState is StateNames.Draft or StateNames.AwaitingApproval) return;
        if (saga.Route?.Prompts.EndNotice == true) saga.PromptPartner(PromptKinds.EndNotice, "end");
    }

    private static void EndPartnerAccess(ReferralState saga, string reason, DateTimeOffset at)
        => saga.Publish(new PartnerAccessEnded(saga.CorrelationId, saga.OrganizationId, reason, at));

    // A draft, or one still waiting for the Teamleitung, was never visible to the partner: nothing to end.
    private static void EndPartnerAccessIfSent(ReferralState saga, string reason, DateTimeOffset at)
    {
        if (saga.CurrentState is not (StateNames.Draft or StateNames.AwaitingApproval)) EndPartnerAccess(saga, reason, at);
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
        public const string AwaitingApproval = nameof(ReferralStateMachine.AwaitingApproval);
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
        public const string SubmittedForApproval = nameof(ReferralStateMachine.SubmittedForApproval);
        public const string Approved = nameof(ReferralStateMachine.Approved);
        public const string ApprovalRefused = nameof(ReferralStateMachine.ApprovalRefused);
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
        public static readonly string[] ByCaseManager = [Sent, SubmittedForApproval, CancelledByCaseManager, MarkedEnteredInError, Closed];
        /// <summary>What the Teamleitung of the referral's team decides.</summary>
        public static readonly string[] ByTeamLead = [Approved, ApprovalRefused];
    }

    /// <summary>FHIR status code of a state name (what the API and the referral row show).</summary>
    public static string StatusOf(string stateName) => stateName switch
    {
        StateNames.Draft => ReferralStatus.Draft,
        StateNames.AwaitingApproval => ReferralStatus.AwaitingApproval,
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
    public const string AppointmentExpected = "appointment-expected";
    public const string ProgressReport = "progress-report";
    public const string GoalReview = "goal-review";
    public const string CloseProposal = "close-proposal";
    /// <summary>The partner is asked by e-mail to report attendance (only on routes that switch the prompt on).</summary>
    public const string AttendancePrompt = "attendance-prompt";
    /// <summary>The partner is asked by e-mail for a short progress report every N weeks (routes that switch it on).</summary>
    public const string ProgressPrompt = "progress-prompt";

    /// <summary>Deadlines that wait for the partner's first answer.</summary>
    public static readonly string[] AwaitingResponse = [PartnerResponse, Reminder, Escalation];
    public static readonly string[] All = [PartnerResponse, Reminder, Escalation, Attendance, ConsentExpiry, AppointmentExpected, ProgressReport,
        GoalReview, CloseProposal, AttendancePrompt, ProgressPrompt];
}

/// <summary>Kinds of partner prompt mails (stored in <c>referrals.partner_prompts.kind</c> and the mail log).</summary>
public static class PromptKinds
{
    public const string Reminder = "prompt-reminder";
    public const string Overdue = "prompt-overdue";
    public const string Attendance = "prompt-attendance";
    public const string EndNotice = "prompt-end";
    public const string Progress = "prompt-progress";

    public static readonly string[] All = [Reminder, Overdue, Attendance, EndNotice, Progress];

    /// <summary>The prompt a fired deadline sends, if the route switches it on.</summary>
    public static string? ForDeadline(string deadlineKind, PartnerPromptsStep on) => deadlineKind switch
    {
        DeadlineKinds.Reminder when on.Reminder => Reminder,
        DeadlineKinds.PartnerResponse when on.Overdue => Overdue,
        DeadlineKinds.AttendancePrompt when on.Attendance => Attendance,
        DeadlineKinds.ProgressPrompt when on.Progress => Progress,
        _ => null,
    };
}

/// <summary>Referral statuses as the API shows them (HL7 FHIR Task status codes).</summary>
public static class ReferralStatus
{
    public const string Draft = "draft";
    /// <summary>Not a FHIR Task status: the Task is still a draft, its business status "awaiting approval" by the Teamleitung.</summary>
    public const string AwaitingApproval = "awaiting-approval";
    public const string Requested = "requested";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string Cancelled = "cancelled";
    public const string InProgress = "in-progress";
    public const string OnHold = "on-hold";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string EnteredInError = "entered-in-error";

    public static readonly string[] All = [Draft, AwaitingApproval, Requested, Accepted, Rejected, Cancelled, InProgress, OnHold, Completed, Failed,
        EnteredInError];
    public static readonly string[] Open = [Draft, AwaitingApproval, Requested, Accepted, InProgress, OnHold];
    /// <summary>Statuses in which the partner sees the client data.</summary>
    public static readonly string[] VisibleToPartner = [Requested, Accepted, InProgress, OnHold];

    public static readonly IReadOnlyDictionary<string, string> German = new Dictionary<string, string>
    {
        [Draft] = "Entwurf", [AwaitingApproval] = "Zur Freigabe", [Requested] = "Gesendet", [Accepted] = "Angenommen", [Rejected] = "Abgelehnt",
        [Cancelled] = "Storniert", [InProgress] = "In Betreuung", [OnHold] = "Warteliste",
        [Completed] = "Erfolgreich abgeschlossen", [Failed] = "Ohne Erfolg beendet", [EnteredInError] = "Irrtümlich erfasst",
    };
}
