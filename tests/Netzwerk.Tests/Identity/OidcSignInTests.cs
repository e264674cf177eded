using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Npgsql;

namespace Netzwerk.Tests.Identity;

/// <summary>The real authorization code flow with PKCE in Chromium against a real oidc-provider.</summary>
public sealed class OidcSignInTests(OidcBrowserFixture fx) : IClassFixture<OidcBrowserFixture>
{
    private OidcApp App => fx.App;

    private async Task<IPage> NewPageAsync()
    {
        var context = await fx.Browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = App.BaseUrl, Locale = "de-DE" });
        return await context.NewPageAsync();
    }

    /// <summary>Start at /anmelden, click the organisation button, sign in at the provider's login form.</summary>
    private static async Task SignInAtProviderAsync(IPage page, string login)
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
    private async Task<(string Callback, string Correlation)> SignInCapturingCallbackAsync(IPage page, string login, Func<string, string> rewrite)
    {
        string? callback = null, correlation = null;
        await page.RouteAsync($"{App.Provider.Issuer}/interaction/*", async route =>
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
                var url = location.StartsWith("http") ? location : App.Provider.Issuer + location;
                next = await page.APIRequest.GetAsync(url, new APIRequestContextOptions { MaxRedirects = 0 });
                location = next.Headers["location"];
            }
            callback = location;
            correlation = (await page.Context.CookiesAsync()).Single(c => c.Name == "netzwerk.oidc").Value;
            await route.FulfillAsync(new RouteFulfillOptions { Status = 302, Headers = new Dictionary<string, string> { ["Location"] = rewrite(location) } });
        });
        await SignInAtProviderAsync(page, login);
        await page.WaitForLoadStateAsync();
        await TestProcesses.EventuallyAsync(() => Task.FromResult(callback), "callback URL captured", 30);
        return (callback!, correlation!);
    }

    /// <summary>Waits for the URL; on failure tells where the browser got stuck instead.</summary>
    private static async Task ArriveAsync(IPage page, Func<string, bool> url)
    {
        try { await page.WaitForURLAsync(url, new PageWaitForURLOptions { Timeout = 20_000 }); }
        catch (TimeoutException)
        {
            var body = await page.ContentAsync();
            throw new TimeoutException($"Browser stuck at {page.Url}: {body[..Math.Min(body.Length, 1500)]}");
        }
    }

    private static async Task<JsonElement?> MeAsync(IPage page)
    {
        var response = await page.APIRequest.GetAsync("/api/me");
        return response.Status == 200 ? JsonDocument.Parse(await response.TextAsync()).RootElement : null;
    }

    private async Task<long> CountAuditAsync(string action, string outcome, string? userId = null)
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
        cookies.ShouldNotContain(c => c.Name == "netzwerk.oidc"); // correlation cookie is gone after the callback
        (await CountAuditAsync("sign-in", "ok", "anna.fm")).ShouldBeGreaterThan(0);

        // Sign-out ends the local session and sends the browser to the provider's end_session_endpoint.
        await page.GotoAsync("/");
        var visited = new List<string>();
        page.Request += (_, r) => { lock (visited) visited.Add(r.Url); };
        await page.ClickAsync("form[action='/abmelden'] button");
        await page.WaitForLoadStateAsync();
        await TestProcesses.EventuallyAsync(() => Task.FromResult(visited.ToList()
            .FirstOrDefault(u => u.StartsWith(App.Provider.Issuer + "/session/end") && u.Contains("id_token_hint="))),
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
    public async Task Replayed_code_is_refused_even_with_the_original_correlation_cookie()
    {
        var page = await NewPageAsync();
        // An attacker who captured the correlation cookie and the redirect with the code replays both.
        var (callback, correlation) = await SignInCapturingCallbackAsync(page, "anna.fm", url => url);
        await ArriveAsync(page, u => u == $"{App.BaseUrl}/");
        (await MeAsync(page)).ShouldNotBeNull();

        using var http = App.Http();
        var request = new HttpRequestMessage(HttpMethod.Get, callback);
        request.Headers.Add("Cookie", $"netzwerk.oidc={correlation}");
        var response = await http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("fehler=ungueltig");
        response.Headers.TryGetValues("Set-Cookie", out var setCookies);
        (setCookies ?? []).ShouldNotContain(c => c.StartsWith("netzwerk.session="));
    }

    [Fact]
    public async Task Callback_without_correlation_cookie_is_refused()
    {
        using var http = App.Http();
        var response = await http.GetAsync("/anmelden/oidc/rueckkehr?code=abc&state=xyz");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe("/anmelden?fehler=abgelaufen");
    }

    [Fact]
    public async Task Sign_in_page_offers_the_organisation_button_and_in_demo_mode_the_demo_picker()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/anmelden");
        (await page.Locator("text=Mit Organisationskonto anmelden").CountAsync()).ShouldBe(1);
        (await page.Locator("button[value='fm.mueller']").CountAsync()).ShouldBe(1);

        // The authorization request carries PKCE S256, state and nonce.
        using var http = App.Http();
        var start = await http.GetAsync("/anmelden/oidc?returnUrl=%2Fkatalog");
        start.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var location = start.Headers.Location!.ToString();
        location.ShouldStartWith(App.Provider.Issuer + "/auth?");
        location.ShouldContain("code_challenge_method=S256");
        location.ShouldContain("code_challenge=");
        location.ShouldContain("state=");
        location.ShouldContain("nonce=");
        location.ShouldContain("client_id=" + OidcTestProvider.ClientId);
        var cookie = start.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("netzwerk.oidc="));
        cookie.ShouldContain("httponly");
        cookie.ShouldContain("samesite=lax");
        cookie.ShouldContain("path=/anmelden/oidc");
    }
}
