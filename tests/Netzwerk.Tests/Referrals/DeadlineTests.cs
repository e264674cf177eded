using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Netzwerk.Platform.Time;

namespace Netzwerk.Tests.Referrals;

/// <summary>Durable deadlines with a controllable clock: reminders, overdue answers, escalation, consent expiry, and after a restart.</summary>
public sealed class DeadlineTests
{
    private static async Task<DateTimeOffset> DueAtAsync(ReferralTestApp app, Guid id, string kind)
    {
        await using var db = new Npgsql.NpgsqlConnection(app.DatabaseConnectionString);
        await db.OpenAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT due_at FROM workflows.deadlines WHERE subject_id = '{id}' AND kind = '{kind}'";
        return new DateTimeOffset(DateTime.SpecifyKind((DateTime)(await cmd.ExecuteScalarAsync())!, DateTimeKind.Utc));
    }

    private static Task<long> OpenDeadlinesAsync(ReferralTestApp app, Guid id)
        => app.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{id}'");

    private static Task<long> WaitForRoutingAsync(ReferralTestApp app, Guid id)
        => Eventually.UntilAsync(() => OpenDeadlinesAsync(app, id), n => n >= 3);

    private static string[] Kinds(JsonElement[] items) => items.Select(i => i.GetProperty("kind").GetString()!).ToArray();

    [Fact]
    public async Task Silence_brings_a_reminder_then_the_overdue_notice_and_an_escalation_to_the_team_lead_answered_referrals_none()
    {
        var app = new ReferralTestApp();
        await app.InitializeAsync();
        try
        {
            var fm = await app.ClientFor("fm.mueller");
            var lead = await app.ClientFor("tl.weber");
            var partner = await app.ClientFor("partner.schuldner");
            var silent = await app.SentReferralAsync(fm);
            var answered = await app.SentReferralAsync(fm);
            (await WaitForRoutingAsync(app, silent)).ShouldBe(3); // response, one reminder, escalation (route schuldnerberatung)
            await WaitForRoutingAsync(app, answered);
            (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{answered}/accept")).StatusCode.ShouldBe(HttpStatusCode.OK);

            var reminderAt = await DueAtAsync(app, silent, "reminder");
            var responseAt = await DueAtAsync(app, silent, "partner-response");
            var escalationAt = await DueAtAsync(app, silent, "escalation");
            reminderAt.ShouldBeLessThan(responseAt);
            responseAt.ShouldBeLessThan(escalationAt);

            app.Clock.Advance(reminderAt - app.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
            Kinds(await ReferralTestApp.InboxAsync(fm, silent)).ShouldBe(["reminder"]);

            app.Clock.Advance(escalationAt - app.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
            Kinds(await ReferralTestApp.InboxAsync(fm, silent, atLeast: 2)).ShouldBe(["response-overdue", "reminder"]);
            Kinds(await ReferralTestApp.InboxAsync(lead, silent)).ShouldBe(["escalated"]);

            // The answered referral's response deadlines were cancelled: only its "accepted" notice.
            await Task.Delay(500);
            Kinds(await ReferralTestApp.InboxAsync(fm, answered)).ShouldBe(["accepted"]);
            (await app.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{answered}' AND fired_at IS NOT NULL")).ShouldBe(0);
        }
        finally { await app.DisposeAsync(); }
    }

    [Fact]
    public async Task An_expired_consent_cancels_the_referral_and_ends_partner_access()
    {
        var app = new ReferralTestApp();
        await app.InitializeAsync();
        try
        {
            var fm = await app.ClientFor("fm.mueller");
            var partner = await app.ClientFor("partner.schuldner");
            var id = await app.DraftAsync(fm);
            var today = app.Clock.Today();
            await app.ConsentAsync(fm, id, expiresOn: today.AddDays(2));
            await app.SendAsync(fm, id);
            await Eventually.UntilAsync(() => app.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{id}' AND kind = 'consent-expiry'"), n => n == 1);
            (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept")).StatusCode.ShouldBe(HttpStatusCode.OK);

            app.Clock.Advance(TimeSpan.FromDays(4));
            var items = await ReferralTestApp.InboxAsync(fm, id, atLeast: 2);
            Kinds(items).ShouldContain("consent-expired");
            (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("cancelled");
            (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE message_type LIKE '%.PartnerAccessEnded' AND body->>'referralId' = '{id}'")).ShouldBe(1);
            (await partner.GetFromJsonAsync<JsonElement>($"/api/partner/referrals/{id}")).GetProperty("clientDataVisible").GetBoolean().ShouldBeFalse();
        }
        finally { await app.DisposeAsync(); }
    }

    [Fact]
    public async Task Deadlines_survive_a_restart_and_fire_in_the_new_process()
    {
        var first = new ReferralTestApp();
        await first.InitializeAsync();
        try
        {
            var fm = await first.ClientFor("fm.mueller");
            var id = await first.SentReferralAsync(fm);
            await WaitForRoutingAsync(first, id);
            var escalationAt = await DueAtAsync(first, id, "escalation");
            await first.StopHostAsync();

            await using var second = new ReferralTestApp.Restarted(first);
            await second.InitializeAsync();
            // Clients first: tokens are issued with the app's clock but checked against the real one.
            var fm2 = await second.ClientFor("fm.mueller");
            var lead = await second.ClientFor("tl.weber");
            second.Clock.Advance(escalationAt - second.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
            Kinds(await ReferralTestApp.InboxAsync(fm2, id, atLeast: 2)).ShouldBe(["response-overdue", "reminder"], ignoreOrder: true);
            Kinds(await ReferralTestApp.InboxAsync(lead, id)).ShouldBe(["escalated"]);
            (await second.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{id}' AND fired_at IS NULL AND cancelled_at IS NULL")).ShouldBe(0);
            await second.DisposeAsync();
        }
        finally { await first.DisposeAsync(); }
    }
}
