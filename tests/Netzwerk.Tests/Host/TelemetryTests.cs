using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Tests.Referrals;
using Netzwerk.Workflows;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Netzwerk.Tests.Host;

/// <summary>The referral app with every span and metric kept in memory, and the Prometheus endpoint switched on.</summary>
public sealed class TracedApp : ReferralTestApp
{
    public List<Activity> Spans { get; } = [];
    public List<Metric> Metrics { get; } = [];

    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { ["Metrics:Prometheus"] = "true" };

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        base.ConfigureTestServices(services);
        // The app describes what to trace; without OTLP it starts no tracer, so the test starts one with its exporter.
        services.AddOpenTelemetry().WithTracing(t => t.AddInMemoryExporter(Spans)).WithMetrics(m => m.AddInMemoryExporter(Metrics));
    }
}

/// <summary>
/// A referral journey with telemetry on: spans from the app, Npgsql and MassTransit and the app's metrics are collected,
/// and none of them carries a case reference, a name, an e-mail address, free text or a query value.
/// </summary>
public sealed class TelemetryTests(TracedApp app) : IClassFixture<TracedApp>
{
    private static readonly Regex Email = new(@"[\w.+-]+@[\w-]+\.[\w.-]+");

    [Fact]
    public async Task A_referral_journey_leaves_spans_and_metrics_without_personal_data()
    {
        var caseReference = $"AZ-TELE-{Random.Shared.Next(100000, 999999)}";
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.DraftAsync(fm, caseRef: caseReference);
        await app.ConsentAsync(fm, id);
        await app.SendAsync(fm, id);
        var accept = await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept", new { });
        accept.StatusCode.ShouldBe(HttpStatusCode.OK, await accept.Content.ReadAsStringAsync());
        (await ReferralTestApp.InboxAsync(fm, id)).ShouldNotBeEmpty(); // through RabbitMQ: consumer spans exist
        (await fm.GetAsync("/api/directory/search?q=Vertraulich-Suchbegriff")).EnsureSuccessStatusCode();

        // Prometheus text for Administration only.
        var admin = await app.ClientFor("admin");
        await app.Services.GetRequiredService<WorkflowMetrics>().SampleAsync(CancellationToken.None);
        var text = await Netzwerk.Tests.Identity.TestProcesses.EventuallyAsync(async () =>
        {
            var scrape = await admin.GetAsync("/metrics");
            scrape.StatusCode.ShouldBe(HttpStatusCode.OK);
            var body = await scrape.Content.ReadAsStringAsync();
            return body.Contains("netzwerk_mails_pending") ? body : null; // counted by the mail sender's next round
        }, "mails pending in /metrics", seconds: 30);
        foreach (var name in new[] { "netzwerk_workflow_transitions", "http_server_request_duration", "netzwerk_outbox_pending",
                     "netzwerk_deadlines_pending", "netzwerk_dead_letters" })
            text.ShouldContain(name);
        (await fm.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.Anonymous().GetAsync("/metrics")).IsSuccessStatusCode.ShouldBeFalse();

        app.Services.GetRequiredService<TracerProvider>().ForceFlush();
        app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        var spans = Snapshot(app.Spans);
        var metrics = Snapshot(app.Metrics);

        // The test can fail: spans from each source were collected.
        spans.ShouldContain(s => s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName == "POST /api/referrals/{id:guid}/send");
        spans.ShouldContain(s => s.Source.Name == "Npgsql");
        spans.ShouldContain(s => s.Source.Name == "MassTransit");
        metrics.ShouldContain(m => m.Name == "netzwerk.workflow.transitions");
        metrics.ShouldContain(m => m.Name == "http.server.request.duration");

        string[] forbidden = [caseReference, "Mietschulden", "Stromsperre", "0151 000000", "Schuldenregulierung", "Bitte zeitnah",
            "Vermittlung in die Schuldnerberatung", "Anna Müller", "Vertraulich"];
        var values = spans.SelectMany(s => s.TagObjects.Select(t => $"span {s.Source.Name}/{s.DisplayName} {t.Key}={t.Value}")
                .Append($"span {s.Source.Name} name={s.DisplayName}")
                .Concat(s.Events.SelectMany(e => e.Tags.Select(t => $"event {e.Name} {t.Key}={t.Value}"))))
            .Concat(metrics.SelectMany(MetricTags))
            .ToList();
        values.Count.ShouldBeGreaterThan(100);
        // Requests by route template: the referral's id (in the path) is not in a request span either.
        values.Where(v => v.StartsWith("span Microsoft.AspNetCore", StringComparison.Ordinal)).ShouldAllBe(v => !v.Contains(id.ToString()));
        foreach (var value in values)
        {
            foreach (var secret in forbidden) value.ShouldNotContain(secret, Case.Insensitive);
            Email.IsMatch(value).ShouldBeFalse(value);
        }
    }

    [Fact]
    public async Task Without_OTLP_or_Prometheus_no_telemetry_is_collected()
    {
        var plain = new Infrastructure.NetzwerkApp();
        try
        {
            await plain.InitializeAsync();
            plain.Services.GetService<TracerProvider>().ShouldBeNull();
            plain.Services.GetService<MeterProvider>().ShouldBeNull();
            (await plain.Anonymous().GetAsync("/metrics")).IsSuccessStatusCode.ShouldBeFalse();
        }
        finally
        {
            await plain.DisposeAsync();
        }
    }

    private static IEnumerable<string> MetricTags(Metric metric)
    {
        var tags = new List<string>();
        foreach (ref readonly var point in metric.GetMetricPoints())
            foreach (var tag in point.Tags)
                tags.Add($"metric {metric.Name} {tag.Key}={tag.Value}");
        return tags;
    }

    // The exporters add from other threads; copy until a copy succeeds.
    private static List<T> Snapshot<T>(List<T> items)
    {
        for (var i = 0; ; i++)
        {
            try { return [.. items]; }
            catch (Exception) when (i < 10) { Thread.Sleep(50); }
        }
    }
}
