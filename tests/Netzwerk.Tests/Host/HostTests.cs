using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Host;

public sealed class HostTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    [Fact]
    public async Task Ready_when_database_is_migrated_and_broker_connected()
    {
        // Each part by name. The bus says "Degraded" (still ready) while a receive endpoint starts or after one was
        // stopped, as the ping test in this class does.
        var response = await app.Anonymous().GetAsync("/health/ready");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var checks = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
        checks.GetProperty("postgresql").GetString().ShouldBe("Healthy");
        checks.GetProperty("migrations").GetString().ShouldBe("Healthy");
        checks.GetProperty("masstransit-bus").GetString().ShouldBeOneOf("Healthy", "Degraded");

        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM public.schema_versions WHERE module = 'platform'";
        ((long)(await cmd.ExecuteScalarAsync())!).ShouldBeGreaterThan(0);

    }

    [Fact]
    public void The_app_counts_days_in_German_time_whatever_the_server_zone()
    {
        // Consent dates, expiry and absences compare with "today"; on a UTC server, 23:00 UTC in winter is already
        // tomorrow in Germany. The clock the app hands out must say so.
        var clock = app.Services.GetRequiredService<TimeProvider>();
        clock.LocalTimeZone.Id.ShouldBe("Europe/Berlin");
        var utc = new DateTimeOffset(2026, 11, 21, 23, 30, 0, TimeSpan.Zero);
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, clock.LocalTimeZone).Date).ShouldBe(new DateOnly(2026, 11, 22));
    }

    public sealed record Ping(Guid Id);

    [Fact]
    public async Task The_app_bus_publishes_and_consumes_through_the_real_broker()
    {
        var bus = app.Services.GetRequiredService<IBus>();
        var received = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handle = bus.ConnectReceiveEndpoint("host-test-ping", e => e.Handler<Ping>(ctx =>
        {
            received.TrySetResult(ctx.Message.Id);
            return Task.CompletedTask;
        }));
        await handle.Ready;
        var id = Guid.NewGuid();
        await bus.Publish(new Ping(id));
        (await received.Task.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(id);

        // The queue exists in this test's own virtual host on the real broker.
        var queues = JsonDocument.Parse(await TestServers.QueuesJsonAsync(app.VirtualHost)).RootElement;
        queues.EnumerateArray().Select(q => q.GetProperty("name").GetString()).ShouldContain("host-test-ping");
        await handle.ReceiveEndpoint.Stop();
    }

    [Fact]
    public async Task Live_and_openapi_are_served()
    {
        var client = app.Anonymous();
        (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var openApi = await client.GetStringAsync("/openapi/v1.json");
        openApi.ShouldContain("/api/demo/token");
    }

    [Fact]
    public async Task Demo_users_cover_every_role_and_partners_name_their_organisation()
    {
        var users = await app.Anonymous().GetFromJsonAsync<JsonElement[]>("/api/demo/users");
        var roles = users!.Select(u => u.GetProperty("role").GetString()).ToHashSet();
        roles.ShouldBe(new[] { "Fallmanager", "Teamleitung", "Partner", "Netzwerkkoordination", "Datenschutz", "Administration" }, ignoreOrder: true);
        users!.Count(u => u.GetProperty("role").GetString() == "Fallmanager").ShouldBeGreaterThanOrEqualTo(2);
        var partnerOrgs = users!.Where(u => u.GetProperty("role").GetString() == "Partner")
            .Select(u => u.GetProperty("organizationId").GetGuid()).Distinct().ToList();
        partnerOrgs.Count.ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task Demo_token_is_accepted_by_the_api()
    {
        var client = await app.ClientFor("partner.sucht");
        var me = await client.GetFromJsonAsync<JsonElement>("/api/me");
        me.GetProperty("role").GetString().ShouldBe("Partner");
        me.GetProperty("organizationId").GetGuid().ShouldBe(Netzwerk.Platform.Identity.DemoUsers.Organizations.AddictionCounsellingBautzen);
    }

    [Fact]
    public async Task Missing_or_forged_token_gets_401()
    {
        (await app.Anonymous().GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var client = await app.ClientFor("fm.mueller");
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var parts = token.Split('.');
        // Same signature, claims changed to another role: the signature no longer matches.
        var payload = JsonSerializer.Deserialize<Dictionary<string, object>>(Base64UrlDecode(parts[1]))!;
        payload["role"] = "Administration";
        var forged = $"{parts[0]}.{Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(payload))}.{parts[2]}";
        var forgedClient = app.Anonymous();
        forgedClient.DefaultRequestHeaders.Authorization = new("Bearer", forged);
        (await forgedClient.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // An unsigned token ("alg": "none") is refused as well.
        var none = $"{Base64UrlEncode("""{"alg":"none","typ":"JWT"}"""u8.ToArray())}.{parts[1]}.";
        forgedClient.DefaultRequestHeaders.Authorization = new("Bearer", none);
        (await forgedClient.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Malformed_json_gets_a_german_problem_response()
    {
        var response = await app.Anonymous().PostAsync("/api/demo/token",
            new StringContent("{\"user\": ", Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString()!.ShouldContain("kein gültiges JSON");
        problem.GetProperty("status").GetInt32().ShouldBe(400);
    }

    [Fact]
    public async Task Unknown_demo_user_gets_a_validation_problem()
    {
        var response = await app.Anonymous().PostAsJsonAsync("/api/demo/token", new { user = "mallory" });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").GetProperty("user")[0].GetString()!.ShouldContain("Unbekannter Demo-Benutzer");
    }

    [Fact]
    public async Task Unknown_api_path_gets_a_problem_not_a_page()
    {
        var response = await app.Anonymous().GetAsync("/api/gibt-es-nicht");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Every_response_carries_security_headers()
    {
        var response = await app.Anonymous().GetAsync("/");
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("script-src 'self'");
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldNotContain("unsafe-inline");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
    }

    private static byte[] Base64UrlDecode(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Demo mode off: no demo endpoints at all; on in Production: the app refuses to start.</summary>
public sealed class DemoModeOffTests
{
    private sealed class AppWithoutDemo : NetzwerkApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Demo:Enabled"] = "false" };
    }

    private sealed class ProductionWithDemo : NetzwerkApp
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
        }
    }

    [Fact]
    public async Task Demo_endpoints_do_not_exist_without_demo_mode()
    {
        await using var app = new AppWithoutDemo();
        await app.InitializeAsync();
        try
        {
            var response = await app.Anonymous().PostAsJsonAsync("/api/demo/token", new { user = "admin" });
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await app.Anonymous().GetAsync("/api/demo/users")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
        finally { await app.DisposeAsync(); }
    }

    [Fact]
    public async Task Demo_mode_in_production_refuses_to_start()
    {
        var app = new ProductionWithDemo();
        try
        {
            var ex = await Should.ThrowAsync<Exception>(app.InitializeAsync);
            ex.ToString().ShouldContain("Demo-Modus");
        }
        finally { await app.DisposeAsync(); }
    }
}
