using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Npgsql;

namespace Netzwerk.Tests.Identity;

/// <summary>
/// The real authorization code flow (PKCE, PAR) in Chromium against a real oidc-provider, and every way the callback
/// can be refused. Runs for both provider flavours (<see cref="OidcSignInTests"/>, <see cref="EntraIdSignInTests"/>).
/// </summary>
public abstract class ProviderSignInTests(OidcBrowserFixture fx)
{
    protected OidcApp App => fx.App;

    protected async Task<IPage> NewPageAsync()
    {
        var context = await fx.Browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = App.BaseUrl, Locale = "de-DE" });
        return await context.NewPageAsync();
    }

    /// <summary>Start at /anmelden, click the organisation button, sign in at the provider's login form.</summary>
    protected static async Task SignInAtProviderAsync(IPage page, string login)
    {
        await page.GotoAsync("/anmelden");
        await page.ClickAsync("text=Mit Organisationskonto anmelden");
        await page.WaitForSelectorAsync("input[name=login]");
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", "beliebig");
        await page.ClickAsync("button[type=submit]");
    }

    /// <summary>
    /// Like <see cref="SignInAtProviderAsync"/>, but follows the provider's redirects itself (redirects cannot be
    /// intercepted in the browser) to capture the callback URL with code and state, then lets the browser
    /// arrive at <paramref name="rewrite"/>(callback URL).
    /// </summary>
    private async Task<(string Callback, string Cookies)> SignInCapturingCallbackAsync(IPage page, string login, Func<string, string> rewrite)
    {
        string? callback = null, correlation = null;
        await page.RouteAsync($"{App.Provider.Origin}/interaction/*", async route =>
        {
            if (route.Request.Method != "POST")
            {
                await route.ContinueAsync();
                return;
            }
            var next = await route.FetchAsync(new RouteFetchOptions { MaxRedirects = 0 });
            var location = next.Headers["location"];
            while (!location.StartsWith(App.BaseUrl))
            {
                var url = location.StartsWith("http") ? location : App.Provider.Origin + location;
                next = await page.APIRequest.GetAsync(url, new APIRequestContextOptions { MaxRedirects = 0 });
                location = next.Headers["location"];
            }
            callback = location;
            // The handler's correlation and nonce cookies, as an attacker who captured them would replay them.
            correlation = string.Join("; ", (await page.Context.CookiesAsync())
                .Where(c => c.Name.StartsWith("netzwerk.oidc.")).Select(c => $"{c.Name}={c.Value}"));
            correlation.ShouldContain("netzwerk.oidc.korrelation.");
            await route.FulfillAsync(new RouteFulfillOptions { Status = 302, Headers = new Dictionary<string, string> { ["Location"] = rewrite(location) } });
        });
        await SignInAtProviderAsync(page, login);
        await page.WaitForLoadStateAsync();
        await TestProcesses.EventuallyAsync(() => Task.FromResult(callback), "callback URL captured", 30);
        return (callback!, correlation!);
    }

    /// <summary>Waits for the URL; on failure tells where the browser got stuck instead.</summary>
    protected static async Task ArriveAsync(IPage page, Func<string, bool> url)
    {
        try { await page.WaitForURLAsync(url, new PageWaitForURLOptions { Timeout = 20_000 }); }
        catch (TimeoutException)
        {
            var body = await page.ContentAsync();
            throw new TimeoutException($"Browser stuck at {page.Url}: {body[..Math.Min(body.Length, 1500)]}");
        }
    }

    protected static async Task<JsonElement?> MeAsync(IPage page)
    {
        var response = await page.APIRequest.GetAsync("/api/me");
        return response.Status == 200 ? JsonDocument.Parse(await response.TextAsync()).RootElement : null;
    }

    protected async Task<long> CountAuditAsync(string action, string outcome, string? userId = null)
    {
        await using var db = await App.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM platform.audit_entries WHERE action = $1 AND outcome = $2 AND ($3::text IS NULL OR user_id = $3)", db);
        cmd.Parameters.AddWithValue(action);
        cmd.Parameters.AddWithValue(outcome);
        cmd.Parameters.AddWithValue((object?)userId ?? DBNull.Value);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Account_without_a_mapped_role_is_refused()
    {
        var page = await NewPageAsync();
        await SignInAtProviderAsync(page, "nora.norole");
        await ArriveAsync(page, u => u.Contains("/anmelden?fehler=rolle"));
        (await page.TextContentAsync("[role=alert]"))!.ShouldContain("keine Rolle");
        (await MeAsync(page)).ShouldBeNull();
    }

    [Fact]
    public async Task Wrong_state_is_refused()
    {
        var page = await NewPageAsync();
        // The provider's redirect back arrives with a state that is not ours (CSRF / mix-up attempt).
        var (callback, _) = await SignInCapturingCallbackAsync(page, "anna.fm",
            url => System.Text.RegularExpressions.Regex.Replace(url, "state=[^&]+", "state=angreifer-state"));
        callback.ShouldContain("code=");
        await ArriveAsync(page, u => u.Contains("/anmelden?fehler=ungueltig"));
        (await MeAsync(page)).ShouldBeNull();
        (await CountAuditAsync("sign-in", "denied")).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Error_from_the_provider_ends_on_the_german_sign_in_page_and_is_audited()
    {
        var page = await NewPageAsync();
        var before = await CountAuditAsync("sign-in", "denied");
        // The provider answers with an error instead of a code (user cancelled, consent refused); the state is genuine.
        await SignInCapturingCallbackAsync(page, "anna.fm", url =>
            System.Text.RegularExpressions.Regex.Replace(url, "code=[^&]+", "error=access_denied&error_description=abgebrochen"));
        await ArriveAsync(page, u => u.Contains("/anmelden?fehler=anbieter"));
        (await page.TextContentAsync("[role=alert]"))!.ShouldContain("Identitätsanbieter hat die Anmeldung abgebrochen");
        (await MeAsync(page)).ShouldBeNull();
        (await CountAuditAsync("sign-in", "denied")).ShouldBeGreaterThan(before);
    }

    [Fact]
    public async Task Replayed_code_is_refused_even_with_the_original_correlation_cookie()
    {
        var page = await NewPageAsync();
        // An attacker who captured the correlation cookie and the redirect with the code replays both.
        var (callback, cookies) = await SignInCapturingCallbackAsync(page, "anna.fm", url => url);
        await ArriveAsync(page, u => u == $"{App.BaseUrl}/");
        (await MeAsync(page)).ShouldNotBeNull();
        var before = await CountAuditAsync("sign-in", "denied");

        using var http = App.Http();
        var request = new HttpRequestMessage(HttpMethod.Get, callback);
        request.Headers.Add("Cookie", cookies);
        var response = await http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe("/anmelden?fehler=ungueltig"); // the provider refused the code a second time
        response.Headers.TryGetValues("Set-Cookie", out var setCookies);
        (setCookies ?? []).ShouldNotContain(c => c.StartsWith("netzwerk.session="));
        (await CountAuditAsync("sign-in", "denied")).ShouldBeGreaterThan(before);

        // The same genuine callback from a browser that never started this sign-in (no correlation cookie).
        var stranger = await http.GetAsync(callback);
        stranger.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        stranger.Headers.Location!.ToString().ShouldBe("/anmelden?fehler=abgelaufen");
    }

    [Fact]
    public async Task Forged_callback_is_refused_on_the_german_sign_in_page()
    {
        using var http = App.Http();
        var response = await http.GetAsync("/anmelden/oidc/rueckkehr?code=abc&state=xyz");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe("/anmelden?fehler=ungueltig");
        var page = await http.GetAsync(response.Headers.Location!.ToString());
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()).ShouldContain("Die Anmeldung konnte nicht bestätigt werden");
    }

    [Fact]
    public async Task Sign_in_page_offers_the_organisation_button_and_in_demo_mode_the_demo_picker()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/anmelden");
        (await page.Locator("text=Mit Organisationskonto anmelden").CountAsync()).ShouldBe(1);
        (await page.Locator("button[value='fm.mueller']").CountAsync()).ShouldBe(1);

        // The provider offers PAR, so the authorization request (with PKCE S256, state and nonce; the provider requires
        // PKCE, so the sign-ins above prove it) was pushed and the browser only carries its request_uri.
        using var http = App.Http();
        var start = await http.GetAsync("/anmelden/oidc?returnUrl=%2Fkatalog");
        start.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var location = start.Headers.Location!.ToString();
        location.ShouldStartWith(App.Provider.Origin + "/auth?");
        location.ShouldContain("request_uri=urn");
        location.ShouldContain("client_id=" + OidcTestProvider.ClientId);
        location.ShouldNotContain("code_challenge=");
        // Over plain http (tests) the correlation and nonce cookies must not be Secure, or the browser drops them.
        var cookies = start.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith("netzwerk.oidc.")).ToList();
        cookies.Count.ShouldBe(2);
        foreach (var cookie in cookies)
        {
            cookie.ShouldContain("httponly");
            cookie.ShouldContain("samesite=lax");
            cookie.ShouldNotContain("secure");
        }
    }
}

public sealed class OidcSignInTests(OidcBrowserFixture fx) : ProviderSignInTests(fx), IClassFixture<OidcBrowserFixture>
{
    [Fact]
    public async Task Staff_member_signs_in_with_the_provider_and_gets_mapped_role_and_team_then_signs_out()
    {
        var page = await NewPageAsync();
        await SignInAtProviderAsync(page, "anna.fm");
        await ArriveAsync(page, u => u == $"{App.BaseUrl}/");
        (await page.TextContentAsync("main"))!.ShouldContain("Anna Testfall");

        var me = (await MeAsync(page))!.Value;
        me.GetProperty("id").GetString().ShouldBe("anna.fm");
        me.GetProperty("role").GetString().ShouldBe("Fallmanager");
        me.GetProperty("team").GetString().ShouldBe("team-kamenz");

        // The session cookie: HttpOnly, SameSite=Lax; no tokens of the provider in it readable by scripts.
        var cookies = await page.Context.CookiesAsync();
        var session = cookies.Single(c => c.Name == "netzwerk.session");
        session.HttpOnly.ShouldBeTrue();
        session.SameSite.ShouldBe(SameSiteAttribute.Lax);
        cookies.ShouldNotContain(c => c.Name.StartsWith("netzwerk.oidc.")); // correlation and nonce cookies are gone after the callback
        (await CountAuditAsync("sign-in", "ok", "anna.fm")).ShouldBeGreaterThan(0);

        // Sign-out ends the local session and sends the browser to the provider's end_session_endpoint.
        await page.GotoAsync("/");
        var visited = new List<string>();
        page.Request += (_, r) => { lock (visited) visited.Add(r.Url); };
        await page.ClickAsync("form[action='/abmelden'] button");
        await page.WaitForLoadStateAsync();
        await TestProcesses.EventuallyAsync(() => Task.FromResult(visited.ToList()
            .FirstOrDefault(u => u.StartsWith(App.Provider.Origin + "/session/end") && u.Contains("id_token_hint="))),
            "end_session_endpoint visited; seen: " + string.Join(" | ", visited), 30);
        (await MeAsync(page)).ShouldBeNull();
        (await CountAuditAsync("sign-out", "ok", "anna.fm")).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Partner_account_gets_role_partner_and_its_organisation()
    {
        var page = await NewPageAsync();
        await SignInAtProviderAsync(page, "paul.partner");
        await ArriveAsync(page, u => u == $"{App.BaseUrl}/");
        var me = (await MeAsync(page))!.Value;
        me.GetProperty("role").GetString().ShouldBe("Partner");
        me.GetProperty("organizationId").GetGuid().ShouldBe(OidcTestProvider.PartnerOrganization);
        me.GetProperty("team").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
