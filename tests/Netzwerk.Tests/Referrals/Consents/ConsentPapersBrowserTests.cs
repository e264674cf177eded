using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Netzwerk.Tests.Infrastructure;
using Netzwerk.Tests.Referrals.Ui;

namespace Netzwerk.Tests.Referrals.Consents;

/// <summary>The declaration printed to PDF by Chromium (pages counted), the on-screen consent and the text maintenance, axe-checked.</summary>
public sealed class ConsentPapersBrowserTests(ReferralUiApp app, Browser browser) : IClassFixture<ReferralUiApp>, IClassFixture<Browser>
{
    private const string Shots = "/tmp/consent-shots";

    private async Task<Guid> DraftAsync(string caseReference)
    {
        var client = await app.ClientFor("fm.mueller");
        var created = await client.PostAsJsonAsync("/api/referrals", new
        {
            caseReference, serviceId = ReferralUiApp.DebtService, reason = "Mietschulden, Stromsperre droht", urgency = "soon",
            sharedCategories = new[] { "contact-data", "referral-reason", "documents" }, contactDetails = "Tel. 0151 000000",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Pages of a PDF: its page objects (/Type /Page, not /Pages).</summary>
    private static int PdfPages(byte[] pdf) => Regex.Matches(Encoding.Latin1.GetString(pdf), @"/Type\s*/Page(?![s\w])").Count;

    private static async Task AxeCleanAsync(IPage page) => (await Axe.ViolationsAsync(page)).ShouldBeEmpty();

    [Fact]
    public async Task Declaration_prints_to_one_or_two_A4_pages_in_German_and_bilingual_Arabic()
    {
        System.IO.Directory.CreateDirectory(Shots);
        var id = await DraftAsync("BG-33333-33");
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        foreach (var (language, query) in new[] { ("de", "kategorien=contact-data&kategorien=referral-reason&kategorien=health-addiction&rueckmeldung=outcome"), ("ar", "sprache=ar") })
        {
            await page.GotoAsync($"/verweisungen/{id}/erklaerung?{query}");
            (await page.Locator("[data-declaration]").CountAsync()).ShouldBe(1);
            await AxeCleanAsync(page);
            var pdf = await page.PdfAsync(new() { Format = "A4", PrintBackground = true, Path = $"{Shots}/erklaerung-{language}.pdf" });
            var pages = PdfPages(pdf);
            pages.ShouldBeInRange(1, 2, $"{language}: {pages} pages");
            await page.ScreenshotAsync(new() { Path = $"{Shots}/erklaerung-{language}.png", FullPage = true });
        }
        (await page.Locator("section[data-lang=ar]").GetAttributeAsync("dir")).ShouldBe("rtl");
    }

    [Fact]
    public async Task Client_consents_on_screen_and_the_text_version_is_kept_with_the_consent()
    {
        System.IO.Directory.CreateDirectory(Shots);
        var id = await DraftAsync("BG-44444-44");
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        await page.GotoAsync($"/verweisungen/{id}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Am Bildschirm einwilligen lassen" }).ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("/einwilligung-digital"), Browser.DomReady);
        await page.GotoAsync($"/verweisungen/{id}/einwilligung-digital?sprache=tr");
        await AxeCleanAsync(page);
        var formNumber = await page.Locator("[data-declaration]").GetAttributeAsync("data-form-number");
        formNumber.ShouldStartWith("EW-TR-");

        // not ticked, no name: German messages, nothing recorded
        await page.GetByRole(AriaRole.Button, new() { Name = "Einwilligung erteilen" }).ClickAsync();
        await page.Locator("[data-error-summary]").WaitForAsync();
        (await page.Locator("#Confirm-error").TextContentAsync())!.ShouldContain("Bitte bestätigen Sie");
        await AxeCleanAsync(page);

        await page.Locator("#Confirm").CheckAsync();
        await page.Locator("#ConfirmedName").FillAsync("Ayşe Y.");
        await page.ScreenshotAsync(new() { Path = $"{Shots}/einwilligung-digital-tr.png", FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Einwilligung erteilen" }).ClickAsync();
        await page.WaitForURLAsync(u => u.EndsWith($"/verweisungen/{id}"), Browser.DomReady);
        (await page.Locator("[data-message]").TextContentAsync())!.ShouldContain("digitale Einwilligung ist erfasst");
        (await page.Locator("[data-consent]").TextContentAsync())!.ShouldContain(formNumber!);
        await AxeCleanAsync(page);

        var consent = (await (await app.ClientFor("fm.mueller")).GetFromJsonAsync<JsonElement>($"/api/referrals/{id}")).GetProperty("consent");
        consent.GetProperty("form").GetString().ShouldBe("digital");
        consent.GetProperty("textLanguage").GetString().ShouldBe("tr");
        consent.GetProperty("formNumber").GetString().ShouldBe(formNumber);

        // the client's slip, in the language of the consent, printed
        await page.GetByRole(AriaRole.Link, new() { Name = "Verweisungsschein drucken" }).ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("/verweisungsschein"), Browser.DomReady);
        (await page.Locator("section[data-lang=tr] [data-shared] li").CountAsync()).ShouldBe(3);
        await AxeCleanAsync(page);
        var pdf = await page.PdfAsync(new() { Format = "A4", PrintBackground = true, Path = $"{Shots}/verweisungsschein-tr.pdf" });
        PdfPages(pdf).ShouldBeInRange(1, 2);
        await page.ScreenshotAsync(new() { Path = $"{Shots}/verweisungsschein-tr.png", FullPage = true });

        // the person's consent overview
        await page.GotoAsync($"/verweisungen/{id}/einwilligungen");
        (await page.Locator("[data-consent-item]").CountAsync()).ShouldBe(1);
        (await page.Locator("[data-consent-item]").GetAttributeAsync("data-status")).ShouldBe("valid");
        await AxeCleanAsync(page);
    }

    [Fact]
    public async Task Coordination_previews_a_text_version_before_saving_it()
    {
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "nk.hoffmann");
        await page.GotoAsync("/einwilligungstexte?sprache=ar");
        await AxeCleanAsync(page);
        var before = await page.Locator("[data-current-version]").TextContentAsync();
        await page.Locator("#t-intro").FillAsync("نص تجريبي للمعاينة");
        await page.GetByRole(AriaRole.Button, new() { Name = "Vorschau" }).ClickAsync();
        await page.Locator("[data-preview]").WaitForAsync();
        (await page.Locator("[data-preview] section[data-lang=ar]").GetAttributeAsync("dir")).ShouldBe("rtl");
        (await page.Locator("[data-preview] section[data-lang=ar]").TextContentAsync())!.ShouldContain("نص تجريبي للمعاينة");
        (await page.Locator("[data-current-version]").TextContentAsync()).ShouldBe(before); // a preview saves nothing
        await AxeCleanAsync(page);
    }
}
