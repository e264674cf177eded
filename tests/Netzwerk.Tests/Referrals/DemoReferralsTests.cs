using System.Net.Http.Json;
using System.Text.Json;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Referrals;

public sealed class DemoReferralsApp : NetzwerkApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Demo:SeedReferrals"] = "true" };
}

/// <summary>deploy/run.sh shows a demo with referrals in it; they are made through the real handlers and workflow.</summary>
public sealed class DemoReferralsTests(DemoReferralsApp app) : IClassFixture<DemoReferralsApp>
{
    [Fact]
    public async Task Demo_referrals_reach_the_lists_and_the_partner_inbox()
    {
        var fm = await app.ClientFor("fm.mueller");
        var mine = await fm.GetFromJsonAsync<JsonElement>("/api/referrals");
        var items = mine.ValueKind == JsonValueKind.Array ? mine : mine.GetProperty("items");
        items.GetArrayLength().ShouldBe(3);

        // The sent ones travel over RabbitMQ to the partner organisation of partner.schuldner (two debt referrals).
        var partner = await app.ClientFor("partner.schuldner");
        await Eventually(async () =>
        {
            var inbox = await partner.GetFromJsonAsync<JsonElement>("/api/partner/referrals");
            var list = inbox.ValueKind == JsonValueKind.Array ? inbox : inbox.GetProperty("items");
            return list.GetArrayLength();
        }, n => n == 3);
    }

    private static async Task Eventually(Func<Task<int>> probe, Func<int, bool> done)
    {
        var last = -1;
        for (var i = 0; i < 60; i++)
        {
            last = await probe();
            if (done(last)) return;
            await Task.Delay(500);
        }
        throw new Xunit.Sdk.XunitException($"Nicht erreicht, zuletzt {last}.");
    }
}
