using System.Net;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Referrals;

[CollectionDefinition(nameof(BrokerRestartCollection), DisableParallelization = true)]
public sealed class BrokerRestartCollection;

/// <summary>
/// The app dies in the middle of a flow while RabbitMQ is down and outbox rows are pending; the broker and
/// the app come back. Nothing may be lost and nothing may be delivered twice.
/// Runs alone: it stops the shared broker.
/// </summary>
[Collection(nameof(BrokerRestartCollection))]
public sealed class CrashTests
{
    [Fact]
    public async Task App_killed_with_pending_outbox_while_rabbitmq_restarts_loses_nothing_and_duplicates_nothing()
    {
        var first = new ReferralTestApp();
        await first.InitializeAsync();
        var brokerDown = false;
        try
        {
            var fm = await first.ClientFor("fm.mueller");
            var partner = await first.ClientFor("partner.schuldner");
            var ids = new List<Guid>();
            for (var i = 0; i < 5; i++) ids.Add(await first.SentReferralAsync(fm));
            (await first.CountAsync("SELECT count(DISTINCT subject_id) FROM workflows.deadlines")).ShouldBe(5); // started with the send
            await Eventually.UntilAsync(() => first.CountAsync(
                "SELECT count(*) FROM workflows.outbox WHERE sent_at IS NOT NULL AND message_type LIKE '%.ReferralSentToPartner'"), n => n == 5);
            await Task.Delay(1000); // the access-link consumer has had its turn
            var links = await first.CountAsync("SELECT count(*) FROM referrals.partner_access_links");

            // A killed process takes its broker connection with it; an in-process test host whose bus is still
            // reconnecting would outlive its own disposal and consume as a zombie. So the bus goes first.
            await first.Services.GetRequiredService<IBusControl>().StopAsync(TimeSpan.FromSeconds(30));
            await TestServers.RunScriptAsync("NETZWERK_RABBITMQ_STOP", "--kill");
            brokerDown = true;
            foreach (var id in ids)
                (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await first.CountAsync("SELECT count(*) FROM workflows.outbox WHERE sent_at IS NULL AND message_type LIKE '%.ReferralAccepted'")).ShouldBe(5);

            // The process dies with its work pending. A dead process consumes nothing more: stop its bus first,
            // or the test host's bus would keep reconnecting after its services are disposed and fault messages.
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                await first.Services.GetRequiredService<MassTransit.IBusControl>().StopAsync(stop.Token);
            await first.StopHostAsync();
            // And pretend it had also crashed between a broker confirm and marking the rows sent:
            // the five ReferralSentToPartner messages go out a second time with their original ids.
            await using (var db = new Npgsql.NpgsqlConnection(first.ConnectionString))
            {
                await db.OpenAsync();
                await using var cmd = db.CreateCommand();
                cmd.CommandText = "UPDATE workflows.outbox SET sent_at = NULL WHERE message_type LIKE '%.ReferralSentToPartner'";
                (await cmd.ExecuteNonQueryAsync()).ShouldBe(5);
            }

            await TestServers.RunScriptAsync("NETZWERK_RABBITMQ_START");
            brokerDown = false;

            await using var second = new ReferralTestApp.Restarted(first);
            await second.InitializeAsync();
            var fm2 = await second.ClientFor("fm.mueller");
            (await Eventually.UntilAsync(() => second.CountAsync("SELECT count(*) FROM workflows.outbox WHERE sent_at IS NULL"), n => n == 0, TimeSpan.FromSeconds(90)))
                .ShouldBe(0, "the restarted dispatcher publishes what the dead process left behind");

            foreach (var id in ids)
            {
                var items = await ReferralTestApp.InboxAsync(fm2, id, timeout: TimeSpan.FromSeconds(30));
                items.Select(i => i.GetProperty("kind").GetString()).ShouldBe(["accepted"]);
                (await ReferralTestApp.StatusOfAsync(fm2, id)).ShouldBe("accepted");
            }
            // The re-sent ReferralSentToPartner messages were recognised: no second access link, no second deadline.
            await Task.Delay(1000);
            (await second.CountAsync("SELECT count(*) FROM referrals.partner_access_links")).ShouldBe(links);
            (await second.CountAsync("SELECT count(*) FROM workflows.outbox WHERE message_type LIKE '%.ReferralSentToPartner'")).ShouldBe(5);
            (await second.CountAsync("SELECT count(*) FROM workflows.deadlines WHERE kind = 'partner-response'")).ShouldBe(5);
            (await second.CountAsync("SELECT count(*) FROM referrals.inbox_items")).ShouldBe(5);
            await second.DisposeAsync();
        }
        finally
        {
            if (brokerDown) await TestServers.RunScriptAsync("NETZWERK_RABBITMQ_START");
            await first.DisposeAsync();
        }
    }
}
