using System.Net;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Referrals;

/// <summary>
/// PostgreSQL goes away like after a crash and comes back: meanwhile requests get a German 503 with Retry-After, no
/// half-written record; afterwards the same app process (pools, outbox listener, consumers) works on without a restart
/// and everything acknowledged before arrives. Runs alone: it stops the shared database server.
/// </summary>
[Collection(nameof(BrokerRestartCollection))]
public sealed class DatabaseRestartTests
{
    private static Task RestartAsync(string mode) => TestServers.RunScriptAsync("NETZWERK_PG_RESTART", mode);

    [Fact]
    public async Task A_database_restart_answers_503_meanwhile_and_loses_nothing_acknowledged()
    {
        await using var app = new ReferralTestApp();
        await app.InitializeAsync();
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++) ids.Add(await app.SentReferralAsync(fm, ReferralTestApp.InsolvencyService, level: "outcome"));
        foreach (var id in ids)
            (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept", new { appointmentAt = app.Clock.GetUtcNow().AddMinutes(-5) }))
                .StatusCode.ShouldBe(HttpStatusCode.OK);
        var down = false;
        try
        {
            await RestartAsync("stop");
            down = true;
            var meanwhile = await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{ids[0]}/attendance", new { attended = true });
            meanwhile.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            meanwhile.Headers.RetryAfter.ShouldNotBeNull();
            (await ReferralTestApp.ReadAsync(meanwhile)).GetProperty("detail").GetString()!.ShouldContain("Datenbank");
            await RestartAsync("start");
            down = false;
        }
        finally
        {
            if (down) await RestartAsync("start");
        }

        // The same process: broken pooled connections are replaced, the outbox listener reconnects.
        foreach (var id in ids)
        {
            var answered = await Eventually.UntilAsync(
                () => ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/attendance", new { attended = true }),
                r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
            answered.StatusCode.ShouldBe(HttpStatusCode.OK, await answered.Content.ReadAsStringAsync());
        }
        foreach (var id in ids)
        {
            var inbox = await ReferralTestApp.InboxAsync(fm, id, atLeast: 2, timeout: TimeSpan.FromSeconds(60));
            inbox.Select(i => i.GetProperty("kind").GetString()).Order().ShouldBe(["accepted", "attendance"]);
        }
        // The refused request left nothing behind: one attendance report per referral.
        (await app.CountAsync("SELECT count(*) FROM referrals.feedback WHERE kind = 'attendance'")).ShouldBe(3);
        (await Eventually.UntilAsync(() => app.CountAsync("SELECT count(*) FROM workflows.outbox WHERE sent_at IS NULL"), n => n == 0)).ShouldBe(0);
    }
}
