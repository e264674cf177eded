using Microsoft.Playwright;
using Netzwerk.Tests.Infrastructure;
using Netzwerk.Tests.Referrals.Ui;

namespace Netzwerk.Tests.Referrals.Figures;

/// <summary>The figures page in Chromium: charts as accessible SVG beside their tables, filters by keyboard, no axe-core violations.</summary>
public sealed class FiguresBrowserTests(ReferralUiApp app, Browser browser) : IClassFixture<ReferralUiApp>, IClassFixture<Browser>
{
    [Fact]
    public async Task Charts_and_tables_render_accessibly_and_the_filter_works_by_keyboard()
    {
        for (var i = 0; i < 6; i++) await app.SentReferralAsync("fm.mueller", $"BG-1800{i}-18");
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "nk.hoffmann");
        await page.GotoAsync("/kennzahlen");

        var funnel = page.Locator("figure[data-chart=chart-funnel] svg[role=img]");
        (await funnel.Locator("title").TextContentAsync()).ShouldBe("Vom Senden bis zum Abschluss");
        (await funnel.Locator("desc").TextContentAsync())!.ShouldContain("Tabelle");
        (await funnel.Locator("rect").CountAsync()).ShouldBeGreaterThanOrEqualTo(1, "six sent referrals draw a bar");
        (await page.Locator("table[data-table=funnel] tr[data-key=S1] td").First.TextContentAsync()).ShouldBe("6");
        (await page.ContentAsync()).ShouldNotContain("BG-1800");
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty();

        // keyboard: choose the breakdown by team, Tab to the one button and press Enter
        await page.Locator("#by").FocusAsync();
        await page.Locator("#by").SelectOptionAsync("team");
        await page.Keyboard.PressAsync("Tab");
        (await page.EvaluateAsync<string>("document.activeElement.textContent")).ShouldBe("Anzeigen");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(u => u.Contains("by=team"), Browser.DomReady);
        (await page.Locator("#h-breakdown").TextContentAsync()).ShouldBe("Nach Team");
        (await page.Locator("table[data-table=breakdown] tr[data-key=team-kamenz]").CountAsync()).ShouldBe(1);
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty();
    }
}
