using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Retention;
using Netzwerk.Tests.Infrastructure;
using Npgsql;

namespace Netzwerk.Tests.Security;

/// <summary>Rate limits answer 429 with a German problem once the configured number of attempts is used up.</summary>
public sealed class RateLimitTests
{
    private sealed class ThrottledApp : NetzwerkApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["RateLimits:SignInPermitLimit"] = "3",
            ["RateLimits:AccessLinkPermitLimit"] = "2",
            ["RateLimits:Window"] = "01:00:00",
        };
    }

    [Fact]
    public async Task Token_and_link_endpoints_are_throttled_per_address_with_a_german_429()
    {
        await using var app = new ThrottledApp();
        await app.InitializeAsync();
        try
        {
            var client = app.Anonymous();
            for (var i = 0; i < 3; i++)
                (await client.PostAsJsonAsync("/api/demo/token", new { user = "fm.mueller" })).StatusCode.ShouldBe(HttpStatusCode.OK);
            var throttled = await client.PostAsJsonAsync("/api/demo/token", new { user = "fm.mueller" });
            throttled.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            throttled.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await throttled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString()!.ShouldContain("Zu viele Anfragen");
            (await client.GetAsync("/anmelden")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

            var token = new string('A', 43);
            for (var i = 0; i < 2; i++) (await client.GetAsync($"/zugang/{token}")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
            (await client.GetAsync($"/zugang/{token}")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

            // Other endpoints are not throttled.
            (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally { await app.DisposeAsync(); }
    }
}

/// <summary>The retention mechanism: every registered task runs with the configured cutoff and leaves an audit entry.</summary>
public sealed class RetentionTests
{
    private sealed class RecordingTask : IRetentionTask
    {
        public static readonly List<DateTimeOffset> Cutoffs = [];
        public string Name => "test.closed-referrals";
        public Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken ct)
        {
            lock (Cutoffs) Cutoffs.Add(cutoff);
            return Task.FromResult(7);
        }
    }

    private sealed class FailingTask : IRetentionTask
    {
        public string Name => "test.failing";
        public Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken ct) => throw new InvalidOperationException("kaputt");
    }

    private sealed class RetentionApp : NetzwerkApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Retention:ClosedReferralDays"] = "30",
            ["Retention:Enabled"] = "false",
        };
        protected override void ConfigureTestServices(IServiceCollection services)
        {
            services.AddScoped<IRetentionTask, RecordingTask>();
            services.AddScoped<IRetentionTask, FailingTask>();
        }
    }

    [Fact]
    public async Task Runs_each_task_with_the_cutoff_and_audits_each_run_even_when_one_fails()
    {
        await using var app = new RetentionApp();
        await app.InitializeAsync();
        try
        {
            var before = DateTimeOffset.UtcNow;
            var result = await app.Services.GetRequiredService<RetentionRunner>().RunOnceAsync();
            result["test.closed-referrals"].ShouldBe(7);
            result.ContainsKey("test.failing").ShouldBeFalse();
            var cutoff = RecordingTask.Cutoffs.Last();
            cutoff.ShouldBeLessThanOrEqualTo(DateTimeOffset.UtcNow.AddDays(-30));
            cutoff.ShouldBeGreaterThanOrEqualTo(before.AddDays(-30));

            await using var db = await app.OpenDatabaseAsync();
            await using var cmd = new NpgsqlCommand(
                "SELECT object_id, outcome, detail FROM platform.audit_entries WHERE action = 'retention-delete' ORDER BY id", db);
            await using var r = await cmd.ExecuteReaderAsync();
            var rows = new List<(string, string, string?)>();
            while (await r.ReadAsync()) rows.Add((r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)));
            rows.ShouldContain(x => x.Item1 == "test.closed-referrals" && x.Item2 == "ok" && x.Item3!.Contains("deleted=7"));
            rows.ShouldContain(x => x.Item1 == "test.failing" && x.Item2 == "failed");
            (await app.Services.GetRequiredService<AuditChain>().VerifyAsync()).Intact.ShouldBeTrue();
        }
        finally { await app.DisposeAsync(); }
    }
}

/// <summary>Headers, body size limit and anti-forgery on the real Kestrel server.</summary>
public sealed class KestrelHardeningTests(NetzwerkWebApp app) : IClassFixture<NetzwerkWebApp>
{
    [Fact]
    public async Task Oversized_request_body_gets_a_german_413()
    {
        var client = app.Anonymous();
        var big = new string('x', 2 * 1024 * 1024);
        var response = await client.PostAsync("/api/demo/token",
            new StringContent($"{{\"user\":\"{big}\"}}", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge, body);
        JsonDocument.Parse(body).RootElement.GetProperty("title").GetString()!.ShouldContain("zu groß", customMessage: body);
    }

    [Fact]
    public async Task Hsts_only_when_served_over_https_and_csp_on_pages_without_unsafe_inline()
    {
        var client = app.Anonymous();
        var plain = await client.GetAsync("/anmelden");
        plain.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
        var csp = plain.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldContain("script-src 'self'");
        csp.ShouldNotContain("unsafe-inline");
        plain.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");

        // Behind the TLS-terminating proxy (X-Forwarded-Proto from a trusted local proxy) the request counts as HTTPS.
        var request = new HttpRequestMessage(HttpMethod.Get, "/anmelden");
        request.Headers.Add("X-Forwarded-Proto", "https");
        var https = await client.SendAsync(request);
        https.Headers.GetValues("Strict-Transport-Security").Single().ShouldContain("max-age=");
    }

    [Fact]
    public async Task Identity_pages_carry_csp_and_forms_carry_antiforgery_tokens()
    {
        foreach (var (user, path) in new[] { ("fm.mueller", "/abwesenheiten"), ("ds.becker", "/datenschutz/protokoll") })
        {
            var client = await app.ClientFor(user);
            var response = await client.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.GetValues("Content-Security-Policy").Single().ShouldNotContain("unsafe-inline");
            var html = await response.Content.ReadAsStringAsync();
            System.Text.RegularExpressions.Regex.Matches(html, "<[^>]*\\sstyle=\"[^>]*>").Select(m => m.Value).ShouldBeEmpty();
            html.ShouldContain("__RequestVerificationToken");
        }
    }
}
