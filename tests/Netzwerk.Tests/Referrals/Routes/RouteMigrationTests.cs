using Netzwerk.Platform.Time;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals;
using Netzwerk.Referrals.Routes;
using Netzwerk.Referrals.Lifecycle;
using Shouldly;
using Xunit;
using static Netzwerk.Referrals.Routes.RouteMigration;

namespace Netzwerk.Tests.Referrals.Routes;

/// <summary>
/// Moving a running referral to a newer route version (pure planning): no step runs twice, no timer is lost or duplicated,
/// unchanged timers keep their id and due time, consent expiry is never touched.
/// </summary>
public sealed class RouteMigrationTests
{
    // Monday 2 March 2026, 09:00 (no holidays near it)
    private static readonly DateTimeOffset Sent = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private static ReferralRoute Route(int version, params RouteStep[] extra) => new()
    {
        CategoryCode = "schuldnerberatung", PartnerKind = "schuldnerberatung", Version = version, Name = "Schulden",
        Steps = [new ConsentStep([DataCategories.Contact], FeedbackLevels.Full), new ResponseStep(5, [2, 4], 10, Roles.TeamLead), .. extra],
    };

    private static ReferralRoute WithResponse(int version, ResponseStep response, params RouteStep[] extra) => new()
    {
        CategoryCode = "schuldnerberatung", PartnerKind = "schuldnerberatung", Version = version, Name = "Schulden",
        Steps = [new ConsentStep([DataCategories.Contact], FeedbackLevels.Full), response, .. extra],
    };

    private static OpenTimer Timer(string kind, DateTimeOffset due, string? detail = null) => new(Guid.NewGuid(), kind, due, detail);

    private static readonly Snapshot Requested = new(ReferralStatus.Requested, Sent, null, null, null, null);

    [Fact]
    public void Unchanged_timers_are_kept_with_their_id_and_due_time_and_consent_expiry_is_never_touched()
    {
        var open = new[]
        {
            Timer(DeadlineKinds.Reminder, WorkingDays.Add(Sent, 4)), Timer(DeadlineKinds.PartnerResponse, WorkingDays.Add(Sent, 5)),
            Timer(DeadlineKinds.Escalation, WorkingDays.Add(Sent, 10), Roles.TeamLead), Timer(DeadlineKinds.ConsentExpiry, Sent.AddDays(200)),
        };
        var plan = For(Route(1), Route(2, new GoalReviewStep(6)), Requested, open, Sent.AddDays(3));
        plan.Keep.Select(k => k.Timer).ShouldBe(open); // the same records: same id, same due time
        plan.Cancel.ShouldBeEmpty();
        plan.Reschedule.ShouldBeEmpty();
        plan.Add.ShouldHaveSingleItem().Timer.ShouldBe(new NewTimer(DeadlineKinds.GoalReview, Sent.AddMonths(6), "6"));
        plan.Add[0].Sentence.ShouldContain("Neu: die Zielüberprüfung am Kooperationsplan (alle 6 Monate)");
        plan.Keep.Last().Sentence.ShouldContain("Das Ende der Einwilligung");
    }

    [Fact]
    public void A_timer_that_has_fired_is_not_added_again()
    {
        // the reminder after 2 days fired (no longer open); the new version keeps it, so it must not come back
        var open = new[] { Timer(DeadlineKinds.Reminder, WorkingDays.Add(Sent, 4)), Timer(DeadlineKinds.PartnerResponse, WorkingDays.Add(Sent, 5)),
            Timer(DeadlineKinds.Escalation, WorkingDays.Add(Sent, 10), Roles.TeamLead) };
        var plan = For(Route(1), Route(2), Requested, open, Sent.AddDays(3));
        plan.Add.ShouldBeEmpty();
        plan.Keep.Count.ShouldBe(3);
    }

    [Fact]
    public void Changed_parameters_reschedule_from_the_anchor_and_a_past_due_becomes_now()
    {
        var now = WorkingDays.Add(Sent, 3).AddHours(2);
        var response = Timer(DeadlineKinds.PartnerResponse, WorkingDays.Add(Sent, 5));
        var escalation = Timer(DeadlineKinds.Escalation, WorkingDays.Add(Sent, 10), Roles.TeamLead);
        var reminder = Timer(DeadlineKinds.Reminder, WorkingDays.Add(Sent, 4));
        var to = WithResponse(2, new ResponseStep(3, [2], 8, Roles.NetworkCoordinator));
        var plan = For(Route(1), to, Requested, [response, escalation, reminder], now);

        var moved = plan.Reschedule.ToDictionary(r => r.Timer.Id);
        moved[response.Id].To.DueAt.ShouldBe(now); // sent + 3 working days is already past
        moved[response.Id].Sentence.ShouldContain("sofort");
        moved[escalation.Id].To.ShouldBe(new NewTimer(DeadlineKinds.Escalation, WorkingDays.Add(Sent, 8), Roles.NetworkCoordinator));
        moved[escalation.Id].Sentence.ShouldContain("Netzwerkkoordination nach 8 Arbeitstagen");
        plan.Cancel.ShouldHaveSingleItem().Timer.ShouldBe(reminder); // day 4 is gone, day 2 has run
        plan.Cancel[0].Sentence.ShouldContain("Version 2 sieht sie nicht mehr vor");
        plan.Add.ShouldBeEmpty();
        plan.Keep.ShouldBeEmpty();
    }

    [Fact]
    public void A_reminder_on_a_new_day_replaces_one_that_is_gone_instead_of_adding_a_second()
    {
        var reminder = Timer(DeadlineKinds.Reminder, WorkingDays.Add(Sent, 4));
        var plan = For(Route(1), WithResponse(2, new ResponseStep(5, [2, 3], 10, Roles.TeamLead)), Requested,
            [reminder, Timer(DeadlineKinds.PartnerResponse, WorkingDays.Add(Sent, 5)), Timer(DeadlineKinds.Escalation, WorkingDays.Add(Sent, 10), Roles.TeamLead)],
            Sent.AddHours(30));
        plan.Reschedule.ShouldHaveSingleItem().Timer.ShouldBe(reminder);
        plan.Reschedule[0].To.DueAt.ShouldBe(WorkingDays.Add(Sent, 3));
        plan.Add.ShouldBeEmpty();
        plan.Cancel.ShouldBeEmpty();
    }

    [Fact]
    public void A_removed_step_cancels_its_timer_naming_the_step()
    {
        var accepted = new Snapshot(ReferralStatus.InProgress, Sent, Sent.AddDays(2), null, Sent.AddDays(2), null);
        var progress = Timer(DeadlineKinds.ProgressReport, Sent.AddDays(16));
        var plan = For(Route(1, new ProgressStep(2)), Route(2), accepted, [progress], Sent.AddDays(5));
        plan.Cancel.ShouldHaveSingleItem().Timer.ShouldBe(progress);
        plan.Cancel[0].Sentence.ShouldContain("enthält den Schritt „Fortschrittsberichte“ nicht mehr");
    }

    [Fact]
    public void Timers_are_planned_only_for_the_state_they_belong_to()
    {
        var route = Route(1, new AppointmentStep(10), new AttendanceStep(2), new ProgressStep(2), new GoalReviewStep(6), new CloseProposalStep(40));
        Kinds(new Snapshot(ReferralStatus.Draft, null, null, null, null, null)).ShouldBeEmpty();
        Kinds(Requested).ShouldBe([DeadlineKinds.PartnerResponse, DeadlineKinds.Reminder, DeadlineKinds.Reminder, DeadlineKinds.Escalation,
            DeadlineKinds.GoalReview, DeadlineKinds.CloseProposal], ignoreOrder: true);
        var accepted = new Snapshot(ReferralStatus.Accepted, Sent, Sent.AddDays(1), null, Sent.AddDays(1), null);
        Kinds(accepted).ShouldBe([DeadlineKinds.AppointmentExpected, DeadlineKinds.ProgressReport, DeadlineKinds.GoalReview, DeadlineKinds.CloseProposal], ignoreOrder: true);
        Kinds(accepted with { AppointmentAt = Sent.AddDays(8) })
            .ShouldBe([DeadlineKinds.Attendance, DeadlineKinds.ProgressReport, DeadlineKinds.GoalReview, DeadlineKinds.CloseProposal], ignoreOrder: true);
        Kinds(accepted with { State = ReferralStatus.InProgress }).ShouldBe([DeadlineKinds.ProgressReport, DeadlineKinds.GoalReview, DeadlineKinds.CloseProposal], ignoreOrder: true);
        Kinds(accepted with { State = ReferralStatus.OnHold }).ShouldBe([DeadlineKinds.GoalReview, DeadlineKinds.CloseProposal], ignoreOrder: true);

        // moving from a route without any of these steps adds exactly the timers the state wants
        IEnumerable<string> Kinds(Snapshot s) => AddedKinds(route, s);
    }

    private static IEnumerable<string> AddedKinds(ReferralRoute to, Snapshot s) =>
        For(new ReferralRoute { CategoryCode = "x", PartnerKind = "x", Version = 1, Name = "leer", Steps = [] }, to, s, [], Sent).Add.Select(a => a.Timer.Kind);

    [Fact]
    public void New_timers_start_from_their_anchors()
    {
        var appointment = Sent.AddDays(9);
        var lastProgress = Sent.AddDays(20);
        var lastNews = Sent.AddDays(21);
        var s = new Snapshot(ReferralStatus.Accepted, Sent, Sent.AddDays(1), appointment, lastNews, lastProgress);
        var plan = For(Route(1), Route(2, new AttendanceStep(3), new ProgressStep(2), new CloseProposalStep(40)), s, [], Sent.AddDays(22));
        var due = plan.Add.ToDictionary(a => a.Timer.Kind, a => a.Timer.DueAt);
        due[DeadlineKinds.Attendance].ShouldBe(Sent.AddDays(22)); // appointment + 3 working days is past → now
        due[DeadlineKinds.ProgressReport].ShouldBe(lastProgress.AddDays(14));
        due[DeadlineKinds.CloseProposal].ShouldBe(WorkingDays.Add(lastNews, 40));
    }

    [Fact]
    public void Recurring_timers_carry_their_interval_as_the_machine_writes_it()
    {
        // The next round is computed from the detail when a round fires: a moved or added timer without it would be the last one.
        var s = new Snapshot(ReferralStatus.Accepted, Sent, Sent.AddDays(1), null, null, null);
        var progress = Timer(DeadlineKinds.ProgressReport, Sent.AddDays(15), "2");
        var plan = For(Route(1, new ProgressStep(2)), Route(2, new ProgressStep(3), new GoalReviewStep(4)), s, [progress], Sent.AddDays(5));
        var moved = plan.Reschedule.ShouldHaveSingleItem();
        moved.Timer.ShouldBe(progress);
        moved.To.ShouldBe(new NewTimer(DeadlineKinds.ProgressReport, Sent.AddDays(1 + 21), "3"));
        plan.Add.ShouldHaveSingleItem().Timer.ShouldBe(new NewTimer(DeadlineKinds.GoalReview, Sent.AddMonths(4), "4"));
        ReferralStateMachine.NextRound(moved.To.Kind, moved.To.DueAt, moved.To.Detail, Sent.AddDays(5)).ShouldBe(Sent.AddDays(1 + 21 + 21));
    }

    [Fact]
    public void Steps_that_belong_before_sending_are_not_run_again()
    {
        var from = Route(1);
        var to = new ReferralRoute
        {
            CategoryCode = "schuldnerberatung", PartnerKind = "schuldnerberatung", Version = 2, Name = "Schulden",
            Steps = [new ConsentStep([DataCategories.Contact, DataCategories.Reason], FeedbackLevels.Outcome), new ApprovalStep(),
                new IntakeStep([new IntakeQuestion("glaeubiger", "Wie viele Gläubiger?", true, DataCategories.Reason)]), new ResponseStep(5, [2, 4], 10, Roles.TeamLead)],
        };
        var plan = For(from, to, Requested, [], Sent.AddDays(1));
        plan.NotRerun.Select(n => n.StepKind).ShouldBe([StepKinds.Approval, StepKinds.Intake, StepKinds.Consent, StepKinds.Consent]);
        plan.NotRerun[0].Sentence.ShouldBe("Die Freigabe durch die Teamleitung wird nicht nachgeholt: Die Verweisung ist bereits gesendet.");
        plan.NotRerun[1].Sentence.ShouldContain("„Wie viele Gläubiger?“");
        plan.Sentences.ShouldContain(plan.NotRerun[0].Sentence);

        For(from, to, new Snapshot(ReferralStatus.Draft, null, null, null, null, null), [], Sent).NotRerun.ShouldBeEmpty(); // a draft runs them when sent
        var accepted = new Snapshot(ReferralStatus.Accepted, Sent, Sent.AddDays(1), Sent.AddDays(3), null, null);
        For(from, WithResponse(2, new ResponseStep(3, [2], 6, Roles.TeamLead)), accepted, [], Sent.AddDays(2)).NotRerun
            .ShouldHaveSingleItem().Sentence.ShouldContain("Der Partner hat bereits geantwortet");
    }

    [Fact]
    public void Moving_to_the_same_definition_changes_nothing()
    {
        var s = new Snapshot(ReferralStatus.Accepted, Sent, Sent.AddDays(1), Sent.AddDays(4), Sent.AddDays(4), null);
        var route = Route(1, new AttendanceStep(2), new ProgressStep(2), new GoalReviewStep(6));
        var open = new[] { Timer(DeadlineKinds.Attendance, WorkingDays.Add(Sent.AddDays(4), 2)), Timer(DeadlineKinds.ProgressReport, Sent.AddDays(15)),
            Timer(DeadlineKinds.GoalReview, Sent.AddMonths(6)) };
        var plan = For(route, Route(2, new AttendanceStep(2), new ProgressStep(2), new GoalReviewStep(6)), s, open, Sent.AddDays(5));
        plan.Keep.Select(k => k.Timer).ShouldBe(open);
        (plan.Cancel.Count, plan.Reschedule.Count, plan.Add.Count, plan.NotRerun.Count).ShouldBe((0, 0, 0, 0));
    }
}
