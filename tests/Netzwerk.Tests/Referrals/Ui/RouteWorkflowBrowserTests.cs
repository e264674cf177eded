using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Playwright;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Referrals.Ui;

/// <summary>The app on Kestrel for Chromium with a clock the test moves, and deadlines polled often.</summary>
public sealed class ClockedUiApp : NetzwerkWebApp
{
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Workflows:Outbox:PollInterval"] = "00:00:00.300",
        ["Workflows:Deadlines:PollInterval"] = "00:00:00.300",
    };

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(Clock);
    }
}

/// <summary>
/// Issue 15's journey in Chromium against the real PostgreSQL and RabbitMQ: a coordinator composes a route version with
/// Teamleitung approval and a progress report every two weeks; a Fallmanager refers, the Teamleitung approves, the partner
/// accepts; two weeks later (the app's clock) the progress report is due; the coordinator moves a referral that was
/// already running on the old version to the new one. axe-core checks the new pages.
/// </summary>
public sealed class RouteWorkflowBrowserTests(ClockedUiApp app, Browser browser) : IClassFixture<ClockedUiApp>, IClassFixture<Browser>
{
    [Fact]
    public async Task Coordinator_composes_an_approval_route_the_referral_follows_it_and_a_running_one_moves_to_it()
    {
        // A referral already running on the Schuldnerberatung's first version (sent through the API).
        var fmApi = await app.ClientFor("fm.mueller");
        var running = await SentReferralAsync(fmApi, "BG-77777-01");
        (await RouteVersionOfAsync(fmApi, running)).ShouldBe(1);

        // 1. the coordinator composes version 2: Teamleitung approval, progress reports every two weeks
        var coordinator = await browser.NewPageAsync(app.ServerAddress, demoUser: "nk.hoffmann");
        await coordinator.GotoAsync("/wege/weg?weg=schuldnerberatung");
        // follow the page's own link (a click on a freshly loaded page is sometimes lost by headless Chromium under load)
        await coordinator.GotoAsync((await coordinator.GetByRole(AriaRole.Link, new() { Name = "Neue Version" }).GetAttributeAsync("href"))!);
        coordinator.Url.ShouldContain("/wege/bearbeiten?weg=schuldnerberatung");
        await coordinator.GetByLabel("Freigabe durch die Teamleitung vor dem Senden verlangen").CheckAsync();
        await coordinator.GetByLabel("Regelmäßige Fortschrittsberichte verlangen").CheckAsync();
        await coordinator.GetByLabel("Fortschrittsbericht alle … Wochen").FillAsync("2");
        // progress reports need the client's consent to full feedback
        await coordinator.Locator("#DefaultFeedbackLevel input[value='full']").CheckAsync();
        (await Axe.ViolationsAsync(coordinator)).ShouldBeEmpty("/wege/bearbeiten");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Als neue Version speichern" }).ClickAsync();
        (await ReferralJourneyBrowserTests.MessageAsync(coordinator)).ShouldContain("Version 2");
        await coordinator.GotoAsync("/wege/weg?weg=schuldnerberatung");
        (await coordinator.Locator("[data-version]").TextContentAsync()).ShouldBe("2");
        var picture = (await coordinator.Locator("svg[role='img']").TextContentAsync())!;
        picture.ShouldContain("Freigabe");
        (await Axe.ViolationsAsync(coordinator)).ShouldBeEmpty("/wege/weg");

        // 2. the Fallmanager refers; sending puts it before the Teamleitung
        var fm = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        await fm.GotoAsync($"/verweisungen/neu?serviceId={ReferralUiApp.DebtService}");
        await fm.GetByLabel("Aktenzeichen (Fallnummer, z. B. BG-12345-67)").FillAsync("BG-24680-13");
        await fm.GetByRole(AriaRole.Textbox, new() { Name = "Anlass der Verweisung" }).FillAsync("Pfändung droht, Schuldnerberatung nötig");
        await fm.GetByLabel("Dringlichkeit").SelectOptionAsync("soon");
        await fm.GetByLabel("Kontaktdaten (nur wenn freigegeben)").FillAsync("Tel. 0151 111111");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Entwurf anlegen und weiter zur Einwilligung" }).ClickAsync();
        await fm.WaitForURLAsync(u => System.Text.RegularExpressions.Regex.IsMatch(u, "/verweisungen/[0-9a-f-]{36}$"), Browser.DomReady);
        var id = Guid.Parse(fm.Url.Split('/').Last());
        (await RouteVersionOfAsync(fmApi, id)).ShouldBe(2);
        await fm.GetByLabel("Schriftlich unterschrieben").CheckAsync();
        await fm.GetByRole(AriaRole.Button, new() { Name = "Einwilligung speichern" }).ClickAsync();
        (await ReferralJourneyBrowserTests.MessageAsync(fm)).ShouldContain("Einwilligung ist erfasst");
        (await fm.GetByRole(AriaRole.Button, new() { Name = "Senden", Exact = true }).CountAsync()).ShouldBe(0);
        await fm.GetByRole(AriaRole.Button, new() { Name = "Zur Freigabe vorlegen" }).ClickAsync();
        (await ReferralJourneyBrowserTests.MessageAsync(fm)).ShouldContain("Teamleitung zur Freigabe");
        (await fm.Locator("h1 .status").TextContentAsync()).ShouldBe("Zur Freigabe");
        (await Axe.ViolationsAsync(fm)).ShouldBeEmpty("/verweisungen/{id} (zur Freigabe)");

        // the partner does not see it yet
        var partnerApi = await app.ClientFor("partner.schuldner");
        (await partnerApi.GetAsync($"/api/partner/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // 3. the Teamleitung finds the request in the inbox and approves
        var lead = await browser.NewPageAsync(app.ServerAddress, demoUser: "tl.weber");
        await lead.GotoAsync("/rueckmeldungen");
        await lead.Locator($"[data-inbox-list] li:has(a[href='/verweisungen/{id}'])").Filter(new() { HasText = "Freigabe erbeten" })
            .WaitForAsync(new() { Timeout = 30_000 });
        await lead.GotoAsync($"/verweisungen/{id}");
        (await Axe.ViolationsAsync(lead)).ShouldBeEmpty("/verweisungen/{id} (Teamleitung)");
        await lead.GetByRole(AriaRole.Button, new() { Name = "Freigeben und senden" }).ClickAsync();
        (await ReferralJourneyBrowserTests.MessageAsync(lead)).ShouldContain("freigegeben");
        (await lead.Locator("h1 .status").TextContentAsync()).ShouldBe("Gesendet");

        // 4. the partner accepts (no appointment yet)
        var partner = await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.schuldner");
        await partner.GotoAsync($"/partner/verweisungen/{id}");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Annehmen" }).ClickAsync();
        (await ReferralJourneyBrowserTests.MessageAsync(partner)).ShouldContain("angenommen");

        // 5. two weeks later the progress report is due: the Fallmanager's inbox says so, once
        app.Clock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromHours(1));
        var fmLater = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        await fmLater.GotoAsync("/rueckmeldungen");
        var due = fmLater.Locator($"[data-inbox-list] li:has(a[href='/verweisungen/{id}'])").Filter(new() { HasText = "Verlaufsbericht fällig" });
        await due.First.WaitForAsync(new() { Timeout = 30_000 });
        (await due.CountAsync()).ShouldBe(1);
        var history = await (await fmApi.GetAsync($"/api/referrals/{id}")).Content.ReadFromJsonAsync<JsonElement>();
        history.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("event").GetString())
            .ShouldBe(["Drafted", "ConsentRecorded", "SubmittedForApproval", "Approved", "PartnerAccepted"]);

        // 6. the coordinator moves the referral that ran on version 1 to version 2 (a new session: two weeks have passed)
        await MoveAsync(await browser.NewPageAsync(app.ServerAddress, demoUser: "nk.hoffmann"), running);
        (await RouteVersionOfAsync(fmApi, running)).ShouldBe(2);
    }

    /// <summary>Filled in with the move page (see <see cref="MoveAsync"/>).</summary>
    private static async Task MoveAsync(IPage coordinator, Guid referral)
    {
        await coordinator.GotoAsync("/wege/weg?weg=schuldnerberatung");
        await coordinator.Locator($"input[type='checkbox'][value='{referral}']").CheckAsync();
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Vorschau anzeigen" }).ClickAsync();
        await coordinator.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        (await coordinator.ContentAsync()).ShouldContain("bleibt");
        (await Axe.ViolationsAsync(coordinator)).ShouldBeEmpty("Vorschau der Umstellung");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Verweisungen umstellen" }).ClickAsync();
        (await ReferralJourneyBrowserTests.MessageAsync(coordinator)).ShouldContain("umgestellt");
    }

    private async Task<Guid> SentReferralAsync(HttpClient fm, string caseReference)
    {
        var created = await fm.PostAsJsonAsync("/api/referrals", new
        {
            caseReference, serviceId = ReferralUiApp.DebtService, reason = "Mietschulden", urgency = "soon",
            sharedCategories = new[] { "contact-data", "referral-reason" }, contactDetails = "Tel. 0151 000000",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await fm.PostAsJsonAsync($"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung in die Schuldnerberatung", dataCategories = new[] { "contact-data", "referral-reason" },
            feedbackLevel = "attendance", form = "signed-paper", givenOn = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime),
        })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await fm.PostAsync($"/api/referrals/{id}/send", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return id;
    }

    private static async Task<int> RouteVersionOfAsync(HttpClient fm, Guid id)
        => (await (await fm.GetAsync($"/api/referrals/{id}")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("routeVersion").GetInt32();
}
