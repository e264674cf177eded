using Netzwerk.Platform.Time;
using Netzwerk.Referrals;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Referrals.Routes;
using Netzwerk.Workflows.Deadlines;

namespace Netzwerk.Tests.Referrals.Lifecycle;

/// <summary>
/// The route's steps in the machine (pure logic): which deadlines each step starts, restarts or ends in which state, and
/// which states still need them when they fall due.
/// </summary>
public sealed class RouteStepTimerTests
{
    private static readonly ReferralStateMachine Machine = new();
    private static readonly DateTimeOffset Now = new(2026, 11, 16, 9, 0, 0, TimeSpan.Zero); // a Monday

    private static ReferralRoute Route(params RouteStep[] extra) => new()
    {
        CategoryCode = "x", PartnerKind = "x", Version = 1,
        Steps = [new ConsentStep([DataCategories.Contact], FeedbackLevels.Full), new ResponseStep(5, [3], 10, "Teamleitung"), .. extra],
    };

    private static readonly ReferralRoute Everything = Route(new ApprovalStep(), new AppointmentStep(5), new AttendanceStep(3),
        new ProgressStep(2), new GoalReviewStep(6), new CloseProposalStep(20));
    private static readonly ReferralRoute Plain = Route();

    private static async Task<ReferralState> InState(string state, ReferralRoute route)
    {
        var s = new ReferralState { CorrelationId = Guid.NewGuid(), OrganizationId = Guid.NewGuid(), Route = route };
        await Machine.RaiseEvent(s, Machine.Drafted, new ReferralDrafted(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), "fm", "x", 1, Now));
        s.CurrentState = state;
        s.Outgoing.Clear();
        return s;
    }

    [Fact]
    public void The_route_decides_whether_sending_goes_to_the_partner_or_to_the_Teamleitung_first()
    {
        Machine.SendEventFor(Everything).ShouldBe(Machine.SubmittedForApproval);
        Machine.SendEventFor(Plain).ShouldBe(Machine.Sent);
    }

    [Fact]
    public async Task Submitting_for_approval_starts_no_partner_deadline_and_asks_the_Teamleitung()
    {
        var s = await InState("Draft", Everything);
        await Machine.RaiseEvent(s, Machine.SubmittedForApproval, new ReferralRequested(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), "fm", "x", 1, Now));
        s.CurrentState.ShouldBe("AwaitingApproval");
        ReferralStateMachine.StatusOf(s.CurrentState).ShouldBe(ReferralStatus.AwaitingApproval);
        s.DeadlinesToSchedule.ShouldBeEmpty();
        s.Outgoing.ShouldHaveSingleItem().ShouldBeOfType<ReferralApprovalRequested>();
    }

    [Fact]
    public async Task Approval_sends_to_the_partner_with_the_response_goal_review_and_close_proposal_deadlines()
    {
        var s = await InState("AwaitingApproval", Everything);
        await Machine.RaiseEvent(s, Machine.Approved, new ReferralApproved(s.CorrelationId, "tl", Now));
        s.CurrentState.ShouldBe("Requested");
        s.DeadlinesToSchedule.ShouldBe([
            new NewDeadline(DeadlineKinds.PartnerResponse, WorkingDays.Add(Now, 5)),
            new NewDeadline(DeadlineKinds.Reminder, WorkingDays.Add(Now, 3)),
            new NewDeadline(DeadlineKinds.Escalation, WorkingDays.Add(Now, 10), "Teamleitung"),
            new NewDeadline(DeadlineKinds.GoalReview, Now.AddMonths(6), "6"),
            new NewDeadline(DeadlineKinds.CloseProposal, WorkingDays.Add(Now, 20)),
        ], ignoreOrder: true);
        s.Outgoing.Select(m => m.GetType()).ShouldBe([typeof(ReferralApproved), typeof(ReferralSentToPartner)], ignoreOrder: true);
    }

    [Fact]
    public async Task Refusal_returns_the_referral_to_the_draft_without_deadlines()
    {
        var s = await InState("AwaitingApproval", Everything);
        await Machine.RaiseEvent(s, Machine.ApprovalRefused, new ReferralApprovalRefused(s.CorrelationId, "tl", Now));
        s.CurrentState.ShouldBe("Draft");
        s.DeadlinesToSchedule.ShouldBeEmpty();
    }

    [Fact]
    public async Task Acceptance_without_appointment_expects_one_and_the_first_progress_report_and_restarts_the_quiet_period()
    {
        var s = await InState("Requested", Everything);
        await Machine.RaiseEvent(s, Machine.PartnerAccepted, new ReferralAccepted(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), null, Now));
        s.DeadlineKindsToCancel.ShouldBe([.. DeadlineKinds.AwaitingResponse, DeadlineKinds.ProgressReport, DeadlineKinds.CloseProposal], ignoreOrder: true);
        s.DeadlinesToSchedule.ShouldBe([
            new NewDeadline(DeadlineKinds.AppointmentExpected, WorkingDays.Add(Now, 5)),
            new NewDeadline(DeadlineKinds.ProgressReport, Now.AddDays(14), "2"),
            new NewDeadline(DeadlineKinds.CloseProposal, WorkingDays.Add(Now, 20)),
        ], ignoreOrder: true);
    }

    [Fact]
    public async Task An_offered_appointment_ends_the_wait_for_one_and_expects_attendance_after_the_routes_working_days()
    {
        var s = await InState("Accepted", Everything);
        var at = Now.AddDays(3);
        await Machine.RaiseEvent(s, Machine.PartnerOfferedAppointment, new AppointmentOffered(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), at, Now));
        s.DeadlineKindsToCancel.ShouldContain(DeadlineKinds.AppointmentExpected);
        s.DeadlinesToSchedule.ShouldContain(new NewDeadline(DeadlineKinds.Attendance, WorkingDays.Add(at, 3)));
        s.DeadlinesToSchedule.ShouldNotContain(d => d.Kind == DeadlineKinds.AppointmentExpected);
    }

    [Fact]
    public async Task A_progress_report_starts_the_next_period_from_itself()
    {
        var s = await InState("InProgress", Everything);
        var later = Now.AddDays(9);
        await Machine.RaiseEvent(s, Machine.PartnerReportedProgress, new ProgressReported(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), later));
        s.DeadlineKindsToCancel.ShouldContain(DeadlineKinds.ProgressReport);
        s.DeadlinesToSchedule.ShouldContain(new NewDeadline(DeadlineKinds.ProgressReport, later.AddDays(14), "2"));
    }

    [Fact]
    public async Task A_route_without_these_steps_starts_none_of_their_deadlines()
    {
        var s = await InState("Draft", Plain);
        await Machine.RaiseEvent(s, Machine.Sent, new ReferralRequested(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), "fm", "x", 1, Now));
        await Machine.RaiseEvent(s, Machine.PartnerAccepted, new ReferralAccepted(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), null, Now));
        await Machine.RaiseEvent(s, Machine.PartnerReportedProgress, new ProgressReported(s.CorrelationId, s.OrganizationId, Guid.NewGuid(), Now));
        s.DeadlinesToSchedule.Select(d => d.Kind).ShouldBe(
            [DeadlineKinds.PartnerResponse, DeadlineKinds.Reminder, DeadlineKinds.Escalation], ignoreOrder: true);
    }

    // Every timer kind × every state: fires only where the step still waits for something.
    public static IEnumerable<object[]> KindsAndStates() =>
        from kind in DeadlineKinds.All
        from state in new[] { "Draft", "AwaitingApproval", "Requested", "Accepted", "InProgress", "OnHold", "Rejected", "Cancelled", "Completed", "Failed", "EnteredInError" }
        select new object[] { kind, state };

    private static readonly Dictionary<string, string[]> Waiting = new()
    {
        [DeadlineKinds.PartnerResponse] = ["Requested"], [DeadlineKinds.Reminder] = ["Requested"], [DeadlineKinds.Escalation] = ["Requested"],
        [DeadlineKinds.Attendance] = ["Accepted"], [DeadlineKinds.AttendancePrompt] = ["Accepted"], [DeadlineKinds.AppointmentExpected] = ["Accepted"],
        [DeadlineKinds.ProgressReport] = ["Accepted", "InProgress"], [DeadlineKinds.ProgressPrompt] = ["Accepted", "InProgress"],
        [DeadlineKinds.GoalReview] = ["Requested", "Accepted", "InProgress", "OnHold"],
        [DeadlineKinds.CloseProposal] = ["Requested", "Accepted", "InProgress", "OnHold"],
        [DeadlineKinds.ConsentExpiry] = ["Draft", "AwaitingApproval", "Requested", "Accepted", "InProgress", "OnHold"],
    };

    [Theory]
    [MemberData(nameof(KindsAndStates))]
    public void Each_timer_kind_fires_only_in_the_states_that_wait_for_it(string kind, string state)
        => ReferralStateMachine.StillApplies(kind, state).ShouldBe(Waiting[kind].Contains(state));

    [Fact]
    public void A_recurring_timer_continues_from_its_due_time_and_after_an_outage_with_one_round_not_many()
    {
        var due = Now;
        ReferralStateMachine.NextRound(DeadlineKinds.ProgressReport, due, "2", due.AddHours(1)).ShouldBe(due.AddDays(14));
        ReferralStateMachine.NextRound(DeadlineKinds.GoalReview, due, "6", due.AddMinutes(5)).ShouldBe(due.AddMonths(6));
        // down for five weeks: the next round is the first one after now (week 6), not weeks 2 and 4 at once
        ReferralStateMachine.NextRound(DeadlineKinds.ProgressReport, due, "2", due.AddDays(35)).ShouldBe(due.AddDays(42));
        ReferralStateMachine.NextRound(DeadlineKinds.CloseProposal, due, null, due).ShouldBeNull();
        ReferralStateMachine.NextRound(DeadlineKinds.ProgressReport, due, "x", due).ShouldBeNull();
    }
}
