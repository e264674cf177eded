using Netzwerk.Referrals.Routes;
using System.Reflection;
using MassTransit;
using Netzwerk.Referrals;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Workflows.Deadlines;

namespace Netzwerk.Tests.Referrals.Lifecycle;

/// <summary>The state machine alone (pure logic, no database): every event in every state, allowed or refused.</summary>
public sealed class ReferralStateMachineTests
{
    private static readonly ReferralStateMachine Machine = new();
    private static readonly DateTimeOffset Now = new(2026, 11, 16, 9, 0, 0, TimeSpan.Zero); // a Monday

    private static readonly string[] States =
        ["Draft", "AwaitingApproval", "Requested", "Accepted", "Rejected", "Cancelled", "InProgress", "OnHold", "Completed", "Failed", "EnteredInError"];

    // event name → raise it on an instance
    private static readonly Dictionary<string, Func<ReferralState, Task>> Events = new()
    {
        ["send"] = s => Machine.RaiseEvent(s, Machine.Sent, new ReferralRequested(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), "fm", "*", 1, Now)),
        ["submit"] = s => Machine.RaiseEvent(s, Machine.SubmittedForApproval, new ReferralRequested(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), "fm", "*", 1, Now)),
        ["approve"] = s => Machine.RaiseEvent(s, Machine.Approved, new ReferralApproved(s.CorrelationId, "tl", Now)),
        ["refuse"] = s => Machine.RaiseEvent(s, Machine.ApprovalRefused, new ReferralApprovalRefused(s.CorrelationId, "tl", Now)),
        ["accept"] = s => Machine.RaiseEvent(s, Machine.PartnerAccepted, new ReferralAccepted(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), Now.AddDays(2), Now)),
        ["decline"] = s => Machine.RaiseEvent(s, Machine.PartnerDeclined, new ReferralDeclined(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), ReasonCodes.NoCapacity, Now)),
        ["waitlist"] = s => Machine.RaiseEvent(s, Machine.PartnerWaitlisted, new ReferralWaitlisted(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), Now)),
        ["forward"] = s => Machine.RaiseEvent(s, Machine.PartnerProposedForwarding, new ForwardingProposed(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), null, Now)),
        ["appointment"] = s => Machine.RaiseEvent(s, Machine.PartnerOfferedAppointment, new AppointmentOffered(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), Now.AddDays(3), Now)),
        ["attended"] = s => Machine.RaiseEvent(s, Machine.PartnerReportedAttendance, new AttendanceReported(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), true, Now)),
        ["not-attended"] = s => Machine.RaiseEvent(s, Machine.PartnerReportedAttendance, new AttendanceReported(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), false, Now)),
        ["progress"] = s => Machine.RaiseEvent(s, Machine.PartnerReportedProgress, new ProgressReported(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), Now)),
        ["outcome"] = s => Machine.RaiseEvent(s, Machine.PartnerReportedOutcome, new OutcomeReported(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), ReasonCodes.CompletedWithResult, Now)),
        ["cancel"] = s => Machine.RaiseEvent(s, Machine.CancelledByCaseManager, new ReferralCancelled(s.CorrelationId, s.OrganizationId, "x", "fm", Now)),
        ["consent-ended"] = s => Machine.RaiseEvent(s, Machine.ConsentEnded, new ConsentWithdrawn(s.CorrelationId, Guid.NewGuid(), "consent-revoked", Now)),
        ["entered-in-error"] = s => Machine.RaiseEvent(s, Machine.MarkedEnteredInError, new ReferralEnteredInError(s.CorrelationId, s.OrganizationId, "fm", Now)),
        ["close-completed"] = s => Machine.RaiseEvent(s, Machine.Closed, new ReferralClosed(s.CorrelationId, s.OrganizationId, true, ReasonCodes.CompletedWithResult, "fm", Now)),
        ["close-failed"] = s => Machine.RaiseEvent(s, Machine.Closed, new ReferralClosed(s.CorrelationId, s.OrganizationId, false, ReasonCodes.DroppedOut, "fm", Now)),
    };

    // The whole transition table: (state, event) → resulting state. Everything not listed must be refused.
    private static readonly Dictionary<(string, string), string> Allowed = new()
    {
        [("Draft", "send")] = "Requested",
        [("Draft", "submit")] = "AwaitingApproval",
        [("Draft", "cancel")] = "Cancelled",
        [("Draft", "consent-ended")] = "Cancelled",
        [("Draft", "entered-in-error")] = "EnteredInError",

        [("AwaitingApproval", "approve")] = "Requested",
        [("AwaitingApproval", "refuse")] = "Draft",
        [("AwaitingApproval", "cancel")] = "Cancelled",
        [("AwaitingApproval", "consent-ended")] = "Cancelled",
        [("AwaitingApproval", "entered-in-error")] = "EnteredInError",

        [("Requested", "accept")] = "Accepted",
        [("Requested", "decline")] = "Rejected",
        [("Requested", "waitlist")] = "OnHold",
        [("Requested", "forward")] = "Requested",
        [("Requested", "cancel")] = "Cancelled",
        [("Requested", "consent-ended")] = "Cancelled",
        [("Requested", "entered-in-error")] = "EnteredInError",
        [("Requested", "close-completed")] = "Completed",
        [("Requested", "close-failed")] = "Failed",

        [("Accepted", "appointment")] = "Accepted",
        [("Accepted", "attended")] = "InProgress",
        [("Accepted", "not-attended")] = "Accepted",
        [("Accepted", "progress")] = "InProgress",
        [("Accepted", "outcome")] = "Accepted",
        [("Accepted", "waitlist")] = "OnHold",
        [("Accepted", "forward")] = "Accepted",
        [("Accepted", "cancel")] = "Cancelled",
        [("Accepted", "consent-ended")] = "Cancelled",
        [("Accepted", "entered-in-error")] = "EnteredInError",
        [("Accepted", "close-completed")] = "Completed",
        [("Accepted", "close-failed")] = "Failed",

        [("InProgress", "appointment")] = "InProgress",
        [("InProgress", "attended")] = "InProgress",
        [("InProgress", "not-attended")] = "InProgress",
        [("InProgress", "progress")] = "InProgress",
        [("InProgress", "outcome")] = "InProgress",
        [("InProgress", "waitlist")] = "OnHold",
        [("InProgress", "forward")] = "InProgress",
        [("InProgress", "cancel")] = "Cancelled",
        [("InProgress", "consent-ended")] = "Cancelled",
        [("InProgress", "entered-in-error")] = "EnteredInError",
        [("InProgress", "close-completed")] = "Completed",
        [("InProgress", "close-failed")] = "Failed",

        [("OnHold", "accept")] = "Accepted",
        [("OnHold", "decline")] = "Rejected",
        [("OnHold", "progress")] = "InProgress",
        [("OnHold", "cancel")] = "Cancelled",
        [("OnHold", "consent-ended")] = "Cancelled",
        [("OnHold", "entered-in-error")] = "EnteredInError",
        [("OnHold", "close-completed")] = "Completed",
        [("OnHold", "close-failed")] = "Failed",

        [("Rejected", "entered-in-error")] = "EnteredInError",
        [("Cancelled", "entered-in-error")] = "EnteredInError",
        [("Completed", "entered-in-error")] = "EnteredInError",
        [("Failed", "entered-in-error")] = "EnteredInError",
    };

    private static readonly ReferralRoute Route = new()
    {
        CategoryCode = "*", PartnerKind = "*", Version = 1,
        Steps = [new ConsentStep([DataCategories.Contact], FeedbackLevels.Outcome), new ResponseStep(5, [3, 7], 10, "Teamleitung")],
    };
    private static readonly Consent ExpiringConsent = new() { ExpiresOn = new DateOnly(2026, 12, 31) };

    // test event → the machine's event name (what pages and the API list as allowed)
    private static readonly Dictionary<string, string> EventNameOf = new()
    {
        ["send"] = ReferralStateMachine.EventNames.Sent, ["submit"] = ReferralStateMachine.EventNames.SubmittedForApproval,
        ["approve"] = ReferralStateMachine.EventNames.Approved, ["refuse"] = ReferralStateMachine.EventNames.ApprovalRefused, ["accept"] = ReferralStateMachine.EventNames.PartnerAccepted,
        ["decline"] = ReferralStateMachine.EventNames.PartnerDeclined, ["waitlist"] = ReferralStateMachine.EventNames.PartnerWaitlisted,
        ["forward"] = ReferralStateMachine.EventNames.PartnerProposedForwarding,
        ["appointment"] = ReferralStateMachine.EventNames.PartnerOfferedAppointment,
        ["attended"] = ReferralStateMachine.EventNames.PartnerReportedAttendance,
        ["not-attended"] = ReferralStateMachine.EventNames.PartnerReportedAttendance,
        ["progress"] = ReferralStateMachine.EventNames.PartnerReportedProgress, ["outcome"] = ReferralStateMachine.EventNames.PartnerReportedOutcome,
        ["cancel"] = ReferralStateMachine.EventNames.CancelledByCaseManager, ["consent-ended"] = ReferralStateMachine.EventNames.ConsentEnded,
        ["entered-in-error"] = ReferralStateMachine.EventNames.MarkedEnteredInError,
        ["close-completed"] = ReferralStateMachine.EventNames.Closed, ["close-failed"] = ReferralStateMachine.EventNames.Closed,
    };

    [Theory]
    [MemberData(nameof(StateNames))]
    public void The_allowed_events_of_a_state_are_exactly_those_of_its_transitions(string state)
    {
        var expected = Allowed.Keys.Where(k => k.Item1 == state).Select(k => EventNameOf[k.Item2]).ToHashSet();
        Machine.AllowedEvents(state).ShouldBe(expected, ignoreOrder: true);
    }

    public static IEnumerable<object[]> StateNames() => States.Select(s => new object[] { s });

    private static string[] ConstantsOf(Type type) => type.GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToArray();

    [Fact]
    public void Every_state_and_event_of_the_machine_has_its_stored_name_constant_and_no_constant_is_left_over()
    {
        // A renamed state or event changes what is stored (current_state, history); figures and labels read the constants.
        ConstantsOf(typeof(ReferralStateMachine.StateNames)).ShouldBe(Machine.States.Select(s => s.Name), ignoreOrder: true);
        ConstantsOf(typeof(ReferralStateMachine.EventNames)).ShouldBe(Machine.Events.Select(e => e.Name), ignoreOrder: true);
        States.ShouldBe(ConstantsOf(typeof(ReferralStateMachine.StateNames)).Except(["Initial", "Final"]), ignoreOrder: true);
        ReferralStateMachine.EventNames.ByPartner.Concat(ReferralStateMachine.EventNames.ByCaseManager).Concat(ReferralStateMachine.EventNames.ByTeamLead)
            .ShouldBeSubsetOf(Machine.Events.Select(e => e.Name));
    }

    [Fact]
    public async Task Sending_starts_the_partners_deadlines_from_the_route_and_the_consents_end_and_tells_the_partner()
    {
        var s = await InState("Draft");
        await Events["send"](s);
        s.DeadlinesToSchedule.ShouldBe([
            // Mon 16 Nov + 5 working days, Buß- und Bettag (Wed 18) not counted = Tue 24 Nov
            new NewDeadline(DeadlineKinds.PartnerResponse, Now.AddDays(8)),
            new NewDeadline(DeadlineKinds.Reminder, Now.AddDays(4)), // the 7-day reminder would come after the response deadline
            new NewDeadline(DeadlineKinds.Escalation, Now.AddDays(15), "Teamleitung"),
            new NewDeadline(DeadlineKinds.ConsentExpiry, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        ], ignoreOrder: true);
        s.Outgoing.ShouldHaveSingleItem().ShouldBeOfType<ReferralSentToPartner>().ReferralId.ShouldBe(s.CorrelationId);
    }

    [Theory]
    [InlineData(DeadlineKinds.PartnerResponse, "Requested", true)]
    [InlineData(DeadlineKinds.Reminder, "Requested", true)]
    [InlineData(DeadlineKinds.Escalation, "Requested", true)]
    [InlineData(DeadlineKinds.Escalation, "Accepted", false)]
    [InlineData(DeadlineKinds.Attendance, "Accepted", true)]
    [InlineData(DeadlineKinds.Attendance, "InProgress", false)]
    [InlineData(DeadlineKinds.ConsentExpiry, "OnHold", true)]
    [InlineData(DeadlineKinds.ConsentExpiry, "Cancelled", false)]
    [InlineData("unknown-kind", "Requested", false)]
    public void A_due_deadline_still_applies_only_in_the_states_that_wait_for_it(string kind, string state, bool applies)
        => ReferralStateMachine.StillApplies(kind, state).ShouldBe(applies);

    public static IEnumerable<object[]> AllPairs() =>
        from state in States from e in Events.Keys select new object[] { state, e };

    private static async Task<ReferralState> InState(string state)
    {
        var s = new ReferralState { CorrelationId = Guid.NewGuid(), OrganizationId = Guid.NewGuid(), Route = Route, Consent = ExpiringConsent };
        await Machine.RaiseEvent(s, Machine.Drafted, new ReferralDrafted(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), "fm", "*", 1, Now));
        // Put the instance directly into the state under test; effects of getting there are not part of the test.
        s.CurrentState = state;
        s.Outgoing.Clear();
        s.DeadlinesToSchedule.Clear();
        s.DeadlineKindsToCancel.Clear();
        return s;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public async Task Every_event_in_every_state_is_either_a_listed_transition_or_refused(string state, string eventName)
    {
        var instance = await InState(state);
        if (Allowed.TryGetValue((state, eventName), out var expected))
        {
            await Events[eventName](instance);
            instance.CurrentState.ShouldBe(expected);
        }
        else
        {
            await Should.ThrowAsync<UnhandledEventException>(() => Events[eventName](instance));
            instance.CurrentState.ShouldBe(state);
            instance.Outgoing.ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task A_new_instance_accepts_only_the_draft()
    {
        var s = new ReferralState { CorrelationId = Guid.NewGuid() };
        await Should.ThrowAsync<UnhandledEventException>(() => Events["send"](s));
        await Machine.RaiseEvent(s, Machine.Drafted, new ReferralDrafted(s.CorrelationId, Guid.NewGuid(), Guid.NewGuid(), "fm", "suchtberatung", 3, Now));
        s.CurrentState.ShouldBe("Draft");
        s.RouteVersion.ShouldBe(3);
        ReferralStateMachine.StatusOf(s.CurrentState).ShouldBe("draft");
    }

    [Fact]
    public async Task Accepting_with_an_appointment_cancels_the_response_deadlines_and_expects_attendance_two_working_days_later()
    {
        var s = await InState("Requested");
        var friday = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        await Machine.RaiseEvent(s, Machine.PartnerAccepted, new ReferralAccepted(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), friday, Now));
        s.DeadlineKindsToCancel.ShouldContain(DeadlineKinds.PartnerResponse);
        s.DeadlineKindsToCancel.ShouldContain(DeadlineKinds.Escalation);
        s.DeadlinesToSchedule.ShouldHaveSingleItem().ShouldBe(new NewDeadline(DeadlineKinds.Attendance, friday.AddDays(4))); // Fri + 2 working days = Tue
        s.Outgoing.ShouldHaveSingleItem().ShouldBeOfType<ReferralAccepted>();
    }

    [Fact]
    public async Task Ending_a_sent_referral_ends_the_partners_access_but_ending_a_draft_does_not()
    {
        var sent = await InState("Accepted");
        await Events["cancel"](sent);
        sent.Outgoing.OfType<PartnerAccessEnded>().ShouldHaveSingleItem().Reason.ShouldBe("cancelled");
        sent.DeadlineKindsToCancel.ShouldBe(DeadlineKinds.All, ignoreOrder: true);

        var draft = await InState("Draft");
        await Events["cancel"](draft);
        draft.Outgoing.OfType<PartnerAccessEnded>().ShouldBeEmpty();

        var revoked = await InState("InProgress");
        await Events["consent-ended"](revoked);
        revoked.Outgoing.OfType<ReferralCancelled>().ShouldHaveSingleItem().Reason.ShouldBe("consent-revoked");
        revoked.Outgoing.OfType<PartnerAccessEnded>().ShouldHaveSingleItem();
    }
}
