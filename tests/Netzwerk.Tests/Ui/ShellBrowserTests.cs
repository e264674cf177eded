using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Ui;

public sealed class ShellBrowserTests(NetzwerkWebApp app, Browser browser)
    : IClassFixture<NetzwerkWebApp>, IClassFixture<Browser>
{
    [Fact]
    public async Task Home_page_renders_in_german_with_landmarks()
    {
        var page = await browser.NewPageAsync(app.ServerAddress);
        var response = await page.GotoAsync("/");
        response!.Status.ShouldBe(200);
        (await page.GetAttributeAsync("html", "lang")).ShouldBe("de");
        (await page.Locator("main#inhalt").CountAsync()).ShouldBe(1);
        (await page.TextContentAsync("h1"))!.ShouldContain("Willkommen");
    }

    [Fact]
    public async Task Signing_in_as_a_fallmanager_shows_the_fallmanager_navigation()
    {
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        var nav = page.Locator("nav[aria-label='Hauptnavigation']");
        (await nav.TextContentAsync())!.ShouldContain("Partner finden");
        (await nav.TextContentAsync())!.ShouldNotContain("Katalogpflege");

        var partner = await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.schuldner");
        (await partner.Locator("nav[aria-label='Hauptnavigation']").TextContentAsync())!.ShouldContain("Eingang");

        await page.ClickAsync("text=Abmelden");
        await page.WaitForURLAsync(u => u.EndsWith("/"), Browser.DomReady);
        (await page.Locator("nav[aria-label='Hauptnavigation']").CountAsync()).ShouldBe(0);
    }
}
