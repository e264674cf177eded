using Microsoft.Playwright;
using Netzwerk.Platform.Time;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Identity;

public sealed class IdentityPagesFixture : IAsyncLifetime
{
    public NetzwerkWebApp App { get; } = new();
    public Browser Browser { get; } = new();
    public async Task InitializeAsync() { await App.InitializeAsync(); await Browser.InitializeAsync(); }
    public async Task DisposeAsync() { await Browser.DisposeAsync(); await App.DisposeAsync(); }
}

/// <summary>The Vertretung and Zugriffsprotokoll pages in Chromium, signed in through the demo picker.</summary>
public sealed class IdentityPagesBrowserTests(IdentityPagesFixture fx) : IClassFixture<IdentityPagesFixture>
{
    [Fact]
    public async Task Fallmanager_records_an_absence_with_a_deputy_from_the_team()
    {
        var page = await fx.Browser.NewPageAsync(fx.App.ServerAddress, demoUser: "fm.schmidt");
        await page.GotoAsync("/abwesenheiten");
        // Only the own team is offered as deputy.
        var options = await page.Locator("#deputy option").AllTextContentsAsync();
        options.ShouldContain("Anna Müller");
        options.ShouldNotContain("Derya Yılmaz");

        var today = GermanTime.Today;
        await page.SelectOptionAsync("#deputy", "fm.mueller");
        await page.FillAsync("#from", today.ToString("yyyy-MM-dd"));
        await page.FillAsync("#to", today.AddDays(5).ToString("yyyy-MM-dd"));
        await page.ClickAsync("button:has-text('Eintragen')");
        (await page.TextContentAsync("[role=status]"))!.ShouldContain("eingetragen");
        (await page.TextContentAsync("table"))!.ShouldContain("Anna Müller");

        // A last day before the first: a German error at the form, nothing stored.
        await page.FillAsync("#from", today.AddDays(3).ToString("yyyy-MM-dd"));
        await page.FillAsync("#to", today.AddDays(1).ToString("yyyy-MM-dd"));
        await page.ClickAsync("button:has-text('Eintragen')");
        (await page.TextContentAsync(".field-error"))!.ShouldContain("nicht vor dem ersten");
        (await page.Locator("tbody tr").CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Datenschutz_filters_the_protocol_and_verifies_the_chain()
    {
        // Something to find: a refused access by a partner.
        var partner = await fx.Browser.NewPageAsync(fx.App.ServerAddress, demoUser: "partner.sucht");
        await partner.GotoAsync("/datenschutz/protokoll");
        new Uri(partner.Url).AbsolutePath.ShouldBe("/zugriff-verweigert");

        var page = await fx.Browser.NewPageAsync(fx.App.ServerAddress, demoUser: "ds.becker");
        await page.GotoAsync("/datenschutz/protokoll");
        await page.FillAsync("#f-user", "partner.sucht");
        await page.FillAsync("#f-action", "access");
        await page.ClickAsync("button:has-text('Filtern')");
        var rows = await page.Locator("tbody tr").AllTextContentsAsync();
        rows.ShouldNotBeEmpty();
        rows.ShouldAllBe(r => r.Contains("partner.sucht") && r.Contains("verweigert"));   // outcome "denied" in German
        rows.ShouldContain(r => r.Contains("/datenschutz/protokoll"));

        await page.ClickAsync("button:has-text('Protokollkette prüfen')");
        (await page.GetAttributeAsync("[data-verification]", "data-verification")).ShouldBe("ok");
    }
}
