using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Workflows.Deadlines;
using Npgsql;

namespace Netzwerk.Tests.Referrals.Lifecycle;

/// <summary>
/// The referral module's answer for its due deadlines (fire while the state waits for them, cancel otherwise), and the
/// generic poller's handling of deadlines whose owner it does not know.
/// </summary>
public sealed class ReferralDeadlinesTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private async Task<IReadOnlyList<DeadlineDecision>> DecideAsync(params DueDeadline[] due)
    {
        await using var db = await app.OpenDatabaseAsync();
        await using var tx = await db.BeginTransactionAsync();
        return await new ReferralDeadlines(app.Services.GetRequiredService<Netzwerk.Referrals.Prompts.PartnerPrompts>()).DecideAsync(due, db, tx, app.Clock.GetUtcNow(), CancellationToken.None);
    }

    private DueDeadline Due(Guid referral, string kind) => new(Guid.NewGuid(), referral, kind, app.Clock.GetUtcNow(), "Teamleitung");

    [Fact]
    public async Task A_sent_referral_fires_its_response_deadlines_and_consent_expiry_but_not_an_attendance_deadline()
    {
        var fm = await app.ClientFor("fm.mueller");
        var id = await app.SentReferralAsync(fm);
        DueDeadline response = Due(id, DeadlineKinds.PartnerResponse), reminder = Due(id, DeadlineKinds.Reminder),
            escalation = Due(id, DeadlineKinds.Escalation), attendance = Due(id, DeadlineKinds.Attendance), expiry = Due(id, DeadlineKinds.ConsentExpiry);

        var decisions = (await DecideAsync(response, reminder, escalation, attendance, expiry)).ToDictionary(d => d.DeadlineId);

        decisions[response.Id].Message.ShouldBeOfType<ReferralReminderDue>().Kind.ShouldBe(DeadlineKinds.PartnerResponse);
        decisions[reminder.Id].Message.ShouldBeOfType<ReferralReminderDue>().Kind.ShouldBe(DeadlineKinds.Reminder);
        decisions[escalation.Id].Message.ShouldBeOfType<ReferralEscalated>().Target.ShouldBe("Teamleitung");
        decisions[expiry.Id].Message.ShouldBeOfType<ReferralConsentExpired>().ReferralId.ShouldBe(id);
        decisions[attendance.Id].Fires.ShouldBeFalse();
    }

    [Fact]
    public async Task An_ended_referral_or_an_unknown_one_cancels_every_deadline()
    {
        var fm = await app.ClientFor("fm.mueller");
        var id = await app.SentReferralAsync(fm);
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{id}/cancel")).EnsureSuccessStatusCode();
        var unknown = Guid.NewGuid();

        var decisions = await DecideAsync(DeadlineKinds.All.Select(k => Due(id, k)).Append(Due(unknown, DeadlineKinds.ConsentExpiry)).ToArray());

        decisions.Count.ShouldBe(DeadlineKinds.All.Length + 1);
        decisions.ShouldAllBe(d => !d.Fires);
    }

    [Fact]
    public async Task A_due_deadline_of_an_owner_this_process_does_not_know_is_left_alone_and_reported()
    {
        var id = Guid.NewGuid();
        await using (var db = await app.OpenDatabaseAsync())
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO workflows.deadlines (id, owner, subject_id, kind, due_at) VALUES ($1, 'another-module', $2, 'whatever', $3)", db);
            insert.Parameters.AddWithValue(id);
            insert.Parameters.AddWithValue(Guid.NewGuid());
            insert.Parameters.AddWithValue(app.Clock.GetUtcNow().AddDays(-1));
            await insert.ExecuteNonQueryAsync();
        }
        var poller = app.Services.GetRequiredService<DeadlinePoller>();
        await poller.FireDueAsync(CancellationToken.None);

        (await app.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE id = '{id}' AND fired_at IS NULL AND cancelled_at IS NULL")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE id = '{id}'")).ShouldBe(0);
        (await poller.ReportUnknownOwnersAsync(CancellationToken.None)).ShouldContain("another-module");
    }
}
