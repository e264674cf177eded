using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Netzwerk.Platform.Time;
using Netzwerk.Tests.Infrastructure;
using Netzwerk.Workflows.Outbox;
using Xunit.Abstractions;

namespace Netzwerk.Tests.Security;

/// <summary>
/// The app with one connection per pool (the shared pool and the search's own): every request reuses the connection
/// the previous one returned, so a connection left mid-result by a failed statement breaks the very next request.
/// The outbox dispatcher and the deadline poller are not started: the dispatcher's LISTEN would hold the only connection.
/// </summary>
public sealed class SingleConnectionApp : NetzwerkApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Netzwerk"] = ConnectionString + ";Maximum Pool Size=1;Timeout=30",
        ["Retention:Enabled"] = "false",
    };

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        var workflows = typeof(OutboxDispatcher).Assembly;
        foreach (var d in services.Where(d => d.ServiceType == typeof(IHostedService)
                                              && (d.ImplementationType?.Assembly == workflows
                                                  || d.ImplementationFactory?.Method.DeclaringType?.Assembly == workflows)).ToList())
            services.Remove(d);
    }
}

/// <summary>
/// Regression for issue 13: after a NUL reached PostgreSQL, Npgsql reported "Received unexpected backend message DataRow"
/// and a later, valid request of another user failed with a 500. Failing requests (NUL in search and filter parameters,
/// in JSON body fields that reach PostgreSQL, dates at the edges) are interleaved with valid requests of other users on a
/// single pooled connection; every valid request must succeed.
/// </summary>
public sealed class PoolPoisoningTests(SingleConnectionApp app, ITestOutputHelper output) : IClassFixture<SingleConnectionApp>
{
    [Fact]
    public async Task Failing_requests_never_break_the_next_valid_request_of_another_user_on_the_same_connection()
    {
        var anonymous = app.Anonymous();
        var mueller = await app.ClientFor("fm.mueller");
        var schmidt = await app.ClientFor("fm.schmidt");
        var weber = await app.ClientFor("tl.weber");
        var hoffmann = await app.ClientFor("nk.hoffmann");
        var becker = await app.ClientFor("ds.becker");
        HttpContent Body(string json) => new StringContent(json, Encoding.UTF8, "application/json");

        // Each family: the same statement first with valid values often enough for Npgsql to prepare it automatically
        // (the app's data sources prepare statements used repeatedly), then once with a NUL (or an edge value) that
        // PostgreSQL rejects, then the valid requests of other users on the same single connection.
        var absenceDay = 400;
        HttpRequestMessage Absence(string deputy)
        {
            var from = GermanTime.Today.AddDays(absenceDay += 3);
            return new(HttpMethod.Post, "/api/absences") { Content = Body(
                $"{{\"deputyId\":\"{deputy}\",\"startsOn\":\"{from:yyyy-MM-dd}\",\"endsOn\":\"{from.AddDays(1):yyyy-MM-dd}\"}}") };
        }
        var serial = 0;
        HttpRequestMessage Organization(string name) => new(HttpMethod.Post, "/api/directory/organizations")
            { Content = Body($"{{\"name\":\"{name}\",\"description\":\"Freier Träger\"}}") };
        var families = new (string Who, HttpClient Client, Func<HttpRequestMessage> Warm, Func<HttpRequestMessage> Fail)[]
        {
            ("fm.mueller", mueller, () => Absence("fm.schmidt"), () => Absence("fm.schmidt\\u0000")),
            ("fm.mueller", mueller, () => new(HttpMethod.Get, "/api/directory/search?q=Schulden"), () => new(HttpMethod.Get, "/api/directory/search?q=Schul%00den")),
            ("fm.mueller", mueller, () => new(HttpMethod.Get, "/api/directory/search?q=Beratung&category=schuldnerberatung"), () => new(HttpMethod.Get, "/api/directory/search?q=Beratung&category=%00")),
            ("anonym", anonymous, () => new(HttpMethod.Get, "/hsds/services?search=Beratung"), () => new(HttpMethod.Get, "/hsds/services?search=a%00b")),
            ("anonym", anonymous, () => new(HttpMethod.Get, "/hsds/service_at_locations?postcode=01917"), () => new(HttpMethod.Get, "/hsds/service_at_locations?postcode=%00")),
            ("nk.hoffmann", hoffmann, () => Organization($"Fuzz-Träger {++serial}"), () => Organization("Träger\\u0000")),
            ("nk.hoffmann", hoffmann, () => new(HttpMethod.Get, "/api/directory/entries?q=Beratung"), () => new(HttpMethod.Get, "/api/directory/entries?q=a%00b")),
            ("nk.hoffmann", hoffmann, () => new(HttpMethod.Get, "/api/figures?from=2026-01-01&to=2026-12-31"), () => new(HttpMethod.Get, "/api/figures?from=0001-01-01&to=9999-12-31")),
            ("ds.becker", becker, () => new(HttpMethod.Get, "/api/audit?user=fm.mueller"), () => new(HttpMethod.Get, "/api/audit?user=%00")),
            ("fm.mueller", mueller, () => new(HttpMethod.Get, "/api/referrals?status=sent"), () => new(HttpMethod.Get, "/api/referrals?status=%00")),
        };
        var valid = new (string Who, HttpClient Client, string Url)[]
        {
            ("fm.schmidt", schmidt, "/api/referrals"),
            ("fm.schmidt", schmidt, "/api/directory/search?q=Schuldnerberatung"),
            ("tl.weber", weber, "/api/directory/search?q=Sucht&category=suchtberatung"),
            ("anonym", anonymous, "/hsds/services?search=Beratung"),
            ("tl.weber", weber, "/api/routes"),
            ("tl.weber", weber, "/api/absences"),
        };

        var broken = new List<string>();
        var sent = 0;
        foreach (var f in families)
        {
            for (var i = 0; i < 6; i++)
            {
                var warm = await f.Client.SendAsync(f.Warm());
                if ((int)warm.StatusCode >= 500) output.WriteLine($"Aufwärmen {f.Warm().RequestUri} → {(int)warm.StatusCode}");
            }
            for (var round = 0; round < 2; round++)
            {
                var request = f.Fail();
                var label = $"{request.Method} {request.RequestUri} als {f.Who}";
                try
                {
                    var r = await f.Client.SendAsync(request);
                    output.WriteLine($"{label} → {(int)r.StatusCode}");
                }
                catch (Exception e) { output.WriteLine($"{label} → Ausnahme {e.GetType().Name}"); }
                foreach (var v in valid)
                {
                    sent++;
                    try
                    {
                        var r = await v.Client.GetAsync(v.Url);
                        if (!r.IsSuccessStatusCode)
                        {
                            var body = await r.Content.ReadAsStringAsync();
                            broken.Add($"GET {v.Url} als {v.Who} nach {label} → {(int)r.StatusCode}: {body[..Math.Min(200, body.Length)]}");
                        }
                    }
                    catch (Exception e) { broken.Add($"GET {v.Url} als {v.Who} nach {label} → Ausnahme {e.GetType().Name}: {e.Message}"); }
                }
                // The same statement again, valid: it must work on the connection the failure used.
                var again = await f.Client.SendAsync(f.Warm());
                sent++;
                if ((int)again.StatusCode >= 500)
                    broken.Add($"{f.Warm().Method} {f.Warm().RequestUri} als {f.Who} (gültig) nach {label} → {(int)again.StatusCode}");
            }
        }

        output.WriteLine($"{sent} gültige Anfragen, {broken.Count} gescheitert");
        foreach (var b in broken) output.WriteLine("  " + b);
        broken.ShouldBeEmpty(string.Join("\n", broken));
    }
}

/// <summary>
/// A cross-site form POST riding on a signed-in browser session (cookie) must not change state: without the
/// anti-forgery header, with Origin https://evil.example and Sec-Fetch-Site cross-site, each state-changing JSON
/// endpoint answers 400 or 403. The same call with a bearer token is not refused for that reason.
/// </summary>
public sealed class CrossSiteFormPostTests(NetzwerkApp app, ITestOutputHelper output) : IClassFixture<NetzwerkApp>
{
    /// <summary>Signs in through the demo sign-in page (/anmelden) and returns a client holding the session cookie.</summary>
    private async Task<HttpClient> CookieClientAsync(string user)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var page = await client.GetStringAsync("/anmelden");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"") is { Success: true } m1 ? m1.Groups[1].Value
            : Regex.Match(page, "value=\"([^\"]+)\"[^>]*name=\"__RequestVerificationToken\"").Groups[1].Value;
        token.ShouldNotBeNullOrEmpty("Anti-Forgery-Token der Anmeldeseite");
        var signIn = await client.PostAsync("/anmelden", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user"] = user, ["__RequestVerificationToken"] = token,
        }));
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, await signIn.Content.ReadAsStringAsync());
        signIn.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("netzwerk.session="));
        (await client.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return client;
    }

    private static HttpRequestMessage CrossSite(string url, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
        request.Headers.TryAddWithoutValidation("Referer", "https://evil.example/angriff.html");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "navigate");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
        return request;
    }

    private static HttpContent Form() => new FormUrlEncodedContent(new Dictionary<string, string> { ["x"] = "1" });
    private static HttpContent TextPlain() => new StringContent("{\"x\":1}", Encoding.UTF8, "text/plain");

    private static HttpContent MultipartCsv()
    {
        var form = new MultipartFormDataContent("----evilboundary");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes("Träger,Angebot\nBöser Träger,Böses Angebot\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "katalog.csv");
        return form;
    }

    /// <summary>Fresh objects for one round of the five calls (each call changes state).</summary>
    private async Task<(string Label, string User, string Url, Func<HttpContent> Content)[]> CallsAsync(FuzzFixtures fixtures)
    {
        var send = await fixtures.GetAsync("ready"); fixtures.Consume("ready");
        var consent = await fixtures.GetAsync("ready-consent"); fixtures.Consume("ready-consent");
        var consent2 = await fixtures.GetAsync("ready-consent"); fixtures.Consume("ready-consent");
        var inbox = await fixtures.GetAsync("inbox");
        var service = await fixtures.GetAsync("service"); fixtures.Consume("service");
        return
        [
            ("Verweisung senden", "fm.mueller", $"/api/referrals/{send}/send", Form),
            ("Einwilligung widerrufen", "fm.mueller", $"/api/consents/{consent}/revoke", Form),
            ("Einwilligung widerrufen (text/plain)", "fm.mueller", $"/api/consents/{consent2}/revoke", TextPlain),
            ("Rückmeldung gelesen", "fm.mueller", $"/api/inbox/{inbox}/read", Form),
            ("Angebot bestätigen", "nk.hoffmann", $"/api/directory/services/{service}/verify", Form),
            ("Katalog importieren", "nk.hoffmann", "/api/directory/imports?format=csv", MultipartCsv),
        ];
    }

    [Fact]
    public async Task Cross_site_form_posts_with_the_session_cookie_are_refused_and_bearer_calls_are_not()
    {
        var fixtures = new FuzzFixtures(app);
        var cookies = new Dictionary<string, HttpClient>
        {
            ["fm.mueller"] = await CookieClientAsync("fm.mueller"),
            ["nk.hoffmann"] = await CookieClientAsync("nk.hoffmann"),
        };
        var failures = new List<string>();

        foreach (var (label, user, url, content) in await CallsAsync(fixtures))
        {
            var response = await cookies[user].SendAsync(CrossSite(url, content()));
            var body = await response.Content.ReadAsStringAsync();
            output.WriteLine($"Cookie, fremde Seite: {label} POST {url} → {(int)response.StatusCode}");
            if (response.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.Forbidden))
                failures.Add($"Cookie + Origin evil.example: {label} POST {url} → {(int)response.StatusCode} (erwartet 400/403): {body[..Math.Min(200, body.Length)]}");
        }

        foreach (var (label, user, url, content) in await CallsAsync(fixtures))
        {
            var bearer = await app.ClientFor(user);
            var response = await bearer.SendAsync(CrossSite(url, content()));
            var body = await response.Content.ReadAsStringAsync();
            output.WriteLine($"Bearer, gleiche Kopfzeilen: {label} POST {url} → {(int)response.StatusCode}");
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden || (int)response.StatusCode >= 500)
                failures.Add($"Bearer + Origin evil.example: {label} POST {url} → {(int)response.StatusCode} (Bearer-Aufrufe dürfen nicht abgewiesen werden): {body[..Math.Min(200, body.Length)]}");
        }

        foreach (var p in fixtures.Problems) output.WriteLine("Hinweis: " + p);
        failures.ShouldBeEmpty(string.Join("\n", failures));
    }
}
