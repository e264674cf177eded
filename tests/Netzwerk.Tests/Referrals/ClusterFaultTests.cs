using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Referrals;

/// <summary>
/// A three-node RabbitMQ cluster (deploy/lib.sh, started once for this class through NETZWERK_RABBITMQ_CLUSTER): the
/// app declares quorum queues on it, and the loss of the node that leads the feedback queue loses no feedback.
/// </summary>
public sealed class RabbitClusterFixture : IAsyncLifetime
{
    public string Nodes { get; private set; } = "";
    public string[] Directories { get; private set; } = [];
    public int[] ManagementPorts { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var output = await TestServers.RunScriptAsync("NETZWERK_RABBITMQ_CLUSTER", "start");
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Nodes = values["nodes"];
        Directories = values["dirs"].Split(',');
        ManagementPorts = values["management"].Split(',').Select(int.Parse).ToArray();
    }

    public Task DisposeAsync() => TestServers.RunScriptAsync("NETZWERK_RABBITMQ_CLUSTER", "stop");

    /// <summary>The queue's JSON from the first node whose management API answers.</summary>
    public async Task<JsonElement> QueueAsync(string vhost, string queue)
    {
        foreach (var port in ManagementPorts)
        {
            try
            {
                using var http = TestServers.Management(port);
                using var response = await http.GetAsync($"queues/{Uri.EscapeDataString(vhost)}/{queue}");
                if (response.StatusCode == HttpStatusCode.NotFound) throw new KeyNotFoundException(queue);
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }
            catch (HttpRequestException) { }
        }
        throw new InvalidOperationException("Kein Knoten des Clusters antwortet.");
    }
}

/// <summary>The app on the test cluster, in its own virtual host there.</summary>
public sealed class ClusterApp(RabbitClusterFixture cluster) : ReferralTestApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["RabbitMq:Nodes"] = cluster.Nodes,
        ["RabbitMq:ManagementPort"] = cluster.ManagementPorts[0].ToString(),
    };

    public override async Task InitializeAsync()
    {
        await TestServers.CreateVirtualHostAsync(VirtualHost, cluster.ManagementPorts[0]);
        await base.InitializeAsync();
    }
}

public sealed class ClusterFaultTests(RabbitClusterFixture cluster) : IClassFixture<RabbitClusterFixture>
{
    private const string FeedbackQueue = "referrals-feedback-inbox";

    [Fact]
    public async Task Losing_the_node_that_leads_the_feedback_queue_loses_no_feedback_and_delivers_none_twice()
    {
        await using var app = new ClusterApp(cluster);
        await app.InitializeAsync();
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");

        var queue = await cluster.QueueAsync(app.VirtualHost, FeedbackQueue);
        queue.GetProperty("type").GetString().ShouldBe("quorum");
        var leader = queue.GetProperty("leader").GetString()!;

        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++) ids.Add(await app.SentReferralAsync(fm, ReferralTestApp.InsolvencyService, level: "outcome"));
        foreach (var id in ids)
            (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept", new { appointmentAt = app.Clock.GetUtcNow().AddMinutes(-5) }))
                .StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var id in ids) await ReferralTestApp.InboxAsync(fm, id, atLeast: 1);

        // SIGKILL the leader; once the other two have elected a new one, report attendance while it is still gone:
        // published to, and consumed from, the remaining majority. (RabbitMQ 3.10 can nack, until the old leader's node
        // is back, a publish whose channel first reached the queue in the fraction of a second before the election
        // ended; the outbox keeps such a message and sends it again — the chaos benchmark covers that case.)
        var node = cluster.Directories.Single(d => leader.StartsWith($"nz-{Path.GetFileName(d)}@", StringComparison.Ordinal));
        await TestServers.RunAsync(Path.Combine(node, "rabbitmq-stop"), "--kill");
        try
        {
            var moved = await Eventually.UntilAsync(async () =>
                {
                    try { return (await cluster.QueueAsync(app.VirtualHost, FeedbackQueue)).GetProperty("leader").GetString(); }
                    catch (Exception e) when (e is HttpRequestException or InvalidOperationException or KeyNotFoundException) { return null; }
                },
                l => l is not null && l != leader, TimeSpan.FromSeconds(60));
            moved.ShouldNotBe(leader);
            moved.ShouldNotBeNull();
            await Task.Delay(1000);
            foreach (var id in ids)
            {
                var answered = await Eventually.UntilAsync(
                    () => ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/attendance", new { attended = true }),
                    r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
                answered.StatusCode.ShouldBe(HttpStatusCode.OK);
            }
            foreach (var id in ids)
            {
                var inbox = await ReferralTestApp.InboxAsync(fm, id, atLeast: 2, timeout: TimeSpan.FromSeconds(90));
                inbox.Select(i => i.GetProperty("kind").GetString()).Order().ShouldBe(["accepted", "attendance"]);
            }
        }
        finally
        {
            await TestServers.RunAsync(Path.Combine(node, "rabbitmq-start"));
        }
        (await app.CountAsync("SELECT count(*) FROM workflows.outbox WHERE sent_at IS NULL")).ShouldBe(0);
        (await app.CountAsync("SELECT count(*) FROM (SELECT 1 FROM referrals.inbox_items GROUP BY referral_id, kind HAVING count(*) > 1) d")).ShouldBe(0);
    }

    [Fact]
    public async Task Every_endpoint_and_its_error_queue_is_a_quorum_queue_on_the_cluster()
    {
        await using var app = new ClusterApp(cluster);
        await app.InitializeAsync();
        using var http = TestServers.Management(cluster.ManagementPorts[0]);
        var queues = await Eventually.UntilAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>($"queues/{Uri.EscapeDataString(app.VirtualHost)}")).EnumerateArray().ToList(),
            q => q.Count >= 4);
        queues.ShouldAllBe(q => q.GetProperty("type").GetString() == "quorum");
        // A poison message's way out: MassTransit declares the error queue with the endpoint's arguments, so it is
        // replicated too and a dead letter survives the loss of a node like any other message.
        var published = await http.PostAsJsonAsync($"exchanges/{Uri.EscapeDataString(app.VirtualHost)}/amq.default/publish", new
        {
            properties = new { content_type = "application/vnd.masstransit+json", delivery_mode = 2, message_id = Guid.NewGuid().ToString() },
            routing_key = FeedbackQueue, payload = "kein JSON", payload_encoding = "string",
        });
        published.IsSuccessStatusCode.ShouldBeTrue();
        var error = await Eventually.UntilAsync(async () =>
            {
                try { return await cluster.QueueAsync(app.VirtualHost, FeedbackQueue + "_error"); }
                catch (KeyNotFoundException) { return default; }
            },
            q => q.ValueKind == JsonValueKind.Object && q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number && m.GetInt64() == 1,
            TimeSpan.FromSeconds(60));
        error.GetProperty("type").GetString().ShouldBe("quorum");
    }
}
