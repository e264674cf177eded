using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Workflows.Deadlines;

namespace Netzwerk.Tests.Referrals.Lifecycle;

/// <summary>
/// Every kind of timer survives a restart: scheduled by one process that stops before it is due, it fires in the next
/// processes — two of them at once, polling the same table — exactly once: one outbox message (its id is the deadline's)
/// and one inbox item.
/// </summary>
public sealed class TimerRestartTests
{
    public static TheoryData<string, string, string> Kinds => new()
    {
        // deadline kind, inbox item it leads to, whose inbox
        { DeadlineKinds.PartnerResponse, "response-overdue", "fm.mueller" },
        { DeadlineKinds.Reminder, "reminder", "fm.mueller" },
        { DeadlineKinds.Escalation, "escalated", "tl.weber" },
        { DeadlineKinds.Attendance, "attendance-overdue", "fm.mueller" },
        { DeadlineKinds.ConsentExpiry, "consent-expired", "fm.mueller" },
        // the route's own timers (a route version with these steps is created first)
        { DeadlineKinds.AppointmentExpected, "appointment-overdue", "fm.mueller" },
        { DeadlineKinds.ProgressReport, "progress-due", "fm.mueller" },
        { DeadlineKinds.GoalReview, "goal-review-due", "fm.mueller" },
        { DeadlineKinds.CloseProposal, "close-proposed", "fm.mueller" },
    };

    private static readonly string[] RouteStepKinds =
        [DeadlineKinds.AppointmentExpected, DeadlineKinds.ProgressReport, DeadlineKinds.GoalReview, DeadlineKinds.CloseProposal];

    /// <summary>A new version of the Schuldnerberatung's route with every timer step (the demo service takes it).</summary>
    private static async Task RouteWithEveryTimerAsync(ReferralTestApp app)
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var put = await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", new
        {
            name = "Schuldnerberatung mit allen Fristen",
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data" }, defaultFeedbackLevel = "full" },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 3 }, escalationWorkingDays = 10, escalationTarget = "Teamleitung" },
                new { kind = "appointment", withinWorkingDays = 5 },
                new { kind = "attendance", workingDaysAfterAppointment = 2 },
                new { kind = "progress", everyWeeks = 2 },
                new { kind = "goal-review", everyMonths = 6 },
                new { kind = "close-proposal", afterWorkingDaysWithoutNews = 30 },
            },
        });
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_timer_scheduled_before_a_restart_fires_exactly_once_after_it_even_with_two_pollers(string kind, string inboxKind, string reader)
    {
        var first = new ReferralTestApp();
        await first.InitializeAsync();
        try
        {
            if (RouteStepKinds.Contains(kind)) await RouteWithEveryTimerAsync(first);
            var fm = await first.ClientFor("fm.mueller");
            var id = await first.DraftAsync(fm);
            // (the route's own timers lie months ahead: the consent outlasts them)
            await first.ConsentAsync(fm, id, expiresOn: first.Clock.Today().AddDays(RouteStepKinds.Contains(kind) ? 400 : 30));
            await first.SendAsync(fm, id);
            if (kind is DeadlineKinds.Attendance or DeadlineKinds.AppointmentExpected or DeadlineKinds.ProgressReport)
            {
                var partner = await first.ClientFor("partner.schuldner");
                (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept",
                    new { appointmentAt = kind == DeadlineKinds.Attendance ? first.Clock.GetUtcNow().AddDays(1) : (DateTimeOffset?)null }))
                    .StatusCode.ShouldBe(HttpStatusCode.OK);
            }
            var (deadline, dueAt) = await DeadlineAsync(first, id, kind);
            dueAt.ShouldBeGreaterThan(first.Clock.GetUtcNow());
            await first.StopHostAsync();

            await using var second = new ReferralTestApp.Restarted(first);
            await using var third = new ReferralTestApp.Restarted(first);
            await Task.WhenAll(second.InitializeAsync(), third.InitializeAsync());
            // Clients before the clocks move: tokens are issued with the app's clock but checked against the real one.
            var inbox = await second.ClientFor(reader);
            var fm2 = await second.ClientFor("fm.mueller");
            foreach (var app in new[] { second, third }) app.Clock.Advance(dueAt - app.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
            // Besides their background polls, both processes claim due deadlines at the same moment.
            await Task.WhenAll(Enumerable.Range(0, 4).Select(i => (i % 2 == 0 ? second : third).Services.GetRequiredService<DeadlinePoller>()
                .FireDueAsync(CancellationToken.None)));

            var items = await ItemsAsync(inbox, id, inboxKind);
            items.ShouldBe(1);
            await Task.Delay(1500); // a second firing, were there one, would have arrived by now
            (await ItemsAsync(inbox, id, inboxKind)).ShouldBe(1);
            (await second.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE id = '{deadline}' AND fired_at IS NOT NULL")).ShouldBe(1);
            (await second.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE id = '{deadline}'")).ShouldBe(1);
            if (kind == DeadlineKinds.ConsentExpiry) (await ReferralTestApp.StatusOfAsync(fm2, id)).ShouldBe("cancelled");
            // A recurring timer started its next round in the transaction that fired this one: exactly one, not one per poller.
            var nextRounds = await second.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{id}' AND kind = '{kind}' AND fired_at IS NULL AND cancelled_at IS NULL");
            nextRounds.ShouldBe(kind is DeadlineKinds.ProgressReport or DeadlineKinds.GoalReview ? 1 : 0);
        }
        finally { await first.DisposeAsync(); }
    }

    private static async Task<(Guid Id, DateTimeOffset DueAt)> DeadlineAsync(ReferralTestApp app, Guid referral, string kind)
    {
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT id, due_at FROM workflows.deadlines WHERE owner = 'referrals' AND subject_id = '{referral}' AND kind = '{kind}' AND cancelled_at IS NULL";
        await using var reader = await cmd.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue($"a {kind} deadline for the referral");
        var result = (reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1));
        (await reader.ReadAsync()).ShouldBeFalse();
        return result;
    }

    private static async Task<int> ItemsAsync(HttpClient user, Guid referral, string kind)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var items = await ReferralTestApp.InboxAsync(user, referral);
            var count = items.Count(i => i.GetProperty("kind").GetString() == kind);
            if (count > 0 || DateTime.UtcNow > until) return count;
            await Task.Delay(200);
        }
    }
}
