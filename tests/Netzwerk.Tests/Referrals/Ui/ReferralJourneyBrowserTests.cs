using Microsoft.Playwright;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Referrals.Ui;

/// <summary>
/// The whole referral journey in Chromium against the real PostgreSQL and RabbitMQ: the Fallmanager searches the catalogue,
/// refers, records consent and sends; the partner accepts with an appointment and reports attendance; the feedback appears in
/// the Fallmanager's open inbox page without a reload; the figures count it.
/// </summary>
public sealed class ReferralJourneyBrowserTests(ReferralUiApp app, Browser browser)
    : IClassFixture<ReferralUiApp>, IClassFixture<Browser>
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0];

    [Fact]
    public async Task Fallmanager_refers_partner_answers_and_the_inbox_updates_without_reload()
    {
        var coordinator = await browser.NewPageAsync(app.ServerAddress, demoUser: "nk.hoffmann");

        // 1. search the catalogue and open the Schuldnerberatung Kamenz
        var fm = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        var consoleErrors = new List<string>();   // CSP violations and script errors show up here
        fm.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };
        fm.PageError += (_, e) => consoleErrors.Add(e);
        await fm.GotoAsync("/katalog");
        await fm.GetByLabel("Suchbegriff").FillAsync("Schulden Kamenz");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Suchen", Exact = true }).ClickAsync();
        await fm.WaitForURLAsync(u => u.Contains("q=Schulden"), Browser.DomReady);
        await fm.Locator($".katalog-hit a[href^='/katalog/angebote/{ReferralUiApp.DebtService}']").First.ClickAsync();
        await fm.WaitForURLAsync(u => u.Contains($"/katalog/angebote/{ReferralUiApp.DebtService}"), Browser.DomReady);
        await fm.GetByRole(AriaRole.Link, new() { Name = "Klient/in verweisen" }).ClickAsync();
        await fm.WaitForURLAsync(u => u.Contains("/verweisungen/neu?serviceId="), Browser.DomReady);

        // 2. the referral form shows the target and its route; the alternatives come after the form, explained in words
        var target = (await fm.Locator("[data-target]").TextContentAsync())!;
        target.ShouldContain("Schuldnerberatung");
        target.ShouldContain("Antwortfrist");
        target.ShouldContain("Nur Teilnahme (ja/nein)");
        var alternatives = await fm.Locator(".alternatives li [data-explanation]").AllTextContentsAsync();
        alternatives.ShouldNotBeEmpty();
        alternatives.ShouldAllBe(a => a.Contains("gleiche Art") && a.Contains("Wartezeit") && (a.Contains("frei") || a.Contains("freie Plätze unbekannt")));
        (await fm.ContentAsync()).ShouldNotContain("Eignung");
        await fm.GetByLabel("Aktenzeichen (Fallnummer, z. B. BG-12345-67)").FillAsync("BG-12345-67");
        await fm.GetByRole(AriaRole.Textbox, new() { Name = "Anlass der Verweisung" }).FillAsync("Mietschulden, Stromsperre droht");
        await fm.GetByLabel("Dringlichkeit").SelectOptionAsync("soon");
        await fm.GetByLabel("Kontaktdaten (nur wenn freigegeben)").FillAsync("Tel. 0151 000000");
        await fm.GetByLabel("Ziel aus dem Kooperationsplan (optional)").FillAsync("Schuldenregulierung einleiten");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Entwurf anlegen und weiter zur Einwilligung" }).ClickAsync();
        await fm.WaitForLoadStateAsync();
        fm.Url.ShouldMatch("/verweisungen/[0-9a-f-]{36}$", await fm.ContentAsync());
        fm.Url.ShouldNotContain("BG-12345-67");
        var referralId = Guid.Parse(fm.Url.Split('/').Last());
        (await fm.Locator("h1 .status").TextContentAsync()).ShouldBe("Entwurf");
        (await fm.GetByRole(AriaRole.Button, new() { Name = "Senden" }).CountAsync()).ShouldBe(0); // no send before consent

        // 3. consent with an uploaded scan, then send
        (await fm.GetByLabel("Datum der Einwilligung").InputValueAsync()).ShouldNotBeEmpty();
        await fm.GetByLabel("Schriftlich unterschrieben").CheckAsync();
        await fm.GetByLabel("Nachweis hochladen", new() { Exact = false }).SetInputFilesAsync(
            new FilePayload { Name = "einwilligung.png", MimeType = "image/png", Buffer = Png });
        await fm.GetByRole(AriaRole.Button, new() { Name = "Einwilligung speichern" }).ClickAsync();
        (await MessageAsync(fm)).ShouldContain("Einwilligung ist erfasst");
        (await fm.Locator("[data-consent]").TextContentAsync())!.ShouldContain("Scan hinterlegt (image/png)");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Senden" }).ClickAsync();
        (await MessageAsync(fm)).ShouldContain("gesendet");
        (await fm.Locator("h1 .status").TextContentAsync()).ShouldBe("Gesendet");

        // 4. the Fallmanager keeps the inbox open
        await fm.GotoAsync("/rueckmeldungen");
        await fm.EvaluateAsync("() => { window.__sameDocument = 'ja'; }");

        // 5. the partner (second browser context) sees it, accepts with an appointment and reports attendance
        var partner = await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.schuldner");
        await partner.GotoAsync("/partner/verweisungen");
        await partner.Locator($"tr[data-referral-id='{referralId}'] a").ClickAsync();
        await partner.WaitForURLAsync(u => u.EndsWith($"/partner/verweisungen/{referralId}"), Browser.DomReady);
        (await partner.Locator("[data-case-reference]").TextContentAsync()).ShouldBe("BG-12345-67");
        (await partner.Locator("[data-client-data]").TextContentAsync())!.ShouldContain("Mietschulden");
        var appointment = DateTime.Today.ToString("yyyy-MM-dd") + "T00:30"; // today: attendance can be reported from the appointment's day on
        await partner.GetByLabel("Termin (Datum und Uhrzeit, optional)").FillAsync(appointment);
        await partner.GetByLabel("Ort und Hinweise zum Termin", new() { Exact = false }).FillAsync("Beratungsstelle Kamenz, Raum 2");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Annehmen" }).ClickAsync();
        (await MessageAsync(partner)).ShouldContain("angenommen");
        (await partner.Locator("h1 .status").TextContentAsync()).ShouldBe("Angenommen");
        // debt counselling: attendance only — progress and outcome are not offered
        (await partner.GetByRole(AriaRole.Button, new() { Name = "Verlauf übermitteln" }).CountAsync()).ShouldBe(0);
        (await partner.GetByRole(AriaRole.Button, new() { Name = "Ergebnis übermitteln" }).CountAsync()).ShouldBe(0);
        await partner.GetByLabel("Termin wahrgenommen", new() { Exact = true }).CheckAsync();
        await partner.GetByRole(AriaRole.Button, new() { Name = "Teilnahme melden" }).ClickAsync();
        (await MessageAsync(partner)).ShouldContain("Teilnahme ist gemeldet");

        // 6. both pieces of feedback appear in the open inbox page, which was never reloaded
        var mine = fm.Locator($"[data-inbox-list] li:has(a[href='/verweisungen/{referralId}'])");
        await mine.Filter(new() { HasText = "Verweisung angenommen – Termin am" }).WaitForAsync(new() { Timeout = 30_000 });
        await mine.Filter(new() { HasText = "Termin wahrgenommen" }).WaitForAsync(new() { Timeout = 30_000 });
        (await fm.EvaluateAsync<string>("() => window.__sameDocument")).ShouldBe("ja");
        fm.Url.ShouldEndWith("/rueckmeldungen");
        int.Parse((await fm.Locator("[data-inbox-count]").TextContentAsync())!).ShouldBeGreaterThanOrEqualTo(2);
        consoleErrors.ShouldBeEmpty();

        // 7. mark one as read (plain form post)
        await mine.Filter(new() { HasText = "Termin wahrgenommen" }).GetByRole(AriaRole.Button, new() { Name = "Als gelesen markieren" }).ClickAsync();
        await fm.WaitForURLAsync(u => u.EndsWith("/rueckmeldungen"), Browser.DomReady);
        (await mine.Filter(new() { HasText = "Termin wahrgenommen" }).Locator("[data-read-state]").TextContentAsync()).ShouldBe("gelesen");

        // 8. the referral page shows the history; the list shows the status
        await fm.GotoAsync($"/verweisungen/{referralId}");
        var history = (await fm.Locator("[data-history]").TextContentAsync())!;
        history.ShouldContain("Vom Partner angenommen");
        history.ShouldContain("Teilnahme gemeldet");
        (await fm.Locator("[data-feedback]").TextContentAsync())!.ShouldContain("Beratungsstelle Kamenz, Raum 2");
        await fm.GotoAsync("/verweisungen");
        (await fm.Locator($"tr[data-referral-id='{referralId}'] .status").First.TextContentAsync()).ShouldBe("In Betreuung");

        // 9. the figures count the journey (its fact row; the page shows counts of five and more only, FiguresTests checks those)
        await using (var db = await app.OpenDatabaseAsync())
        {
            await using var cmd = new Npgsql.NpgsqlCommand("SELECT stage FROM referrals.referral_facts WHERE referral_id = $1", db);
            cmd.Parameters.AddWithValue(referralId);
            Convert.ToInt32(await cmd.ExecuteScalarAsync()).ShouldBe(3, "sent, accepted and attended");
        }
        await coordinator.GotoAsync("/kennzahlen?kind=schuldnerberatung");
        (await coordinator.Locator("table[data-table=funnel] tr[data-key=S1] td").First.TextContentAsync())!.Trim().ShouldMatch(@"^(\d+|< 5)$");

        // 10. a partner of another organisation does not see it
        var other = await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.sucht");
        await other.GotoAsync("/partner/verweisungen");
        (await other.Locator($"tr[data-referral-id='{referralId}']").CountAsync()).ShouldBe(0);
        (await other.GotoAsync($"/partner/verweisungen/{referralId}"))!.Status.ShouldBe(404);
        (await other.ContentAsync()).ShouldNotContain("BG-12345-67");
    }

    /// <summary>The page's confirmation message; when there is none, the failure shows what the page said instead.</summary>
    internal static async Task<string> MessageAsync(IPage page)
    {
        var message = page.Locator("[data-message]");
        try { await message.WaitForAsync(new() { Timeout = 10_000 }); }
        catch (TimeoutException) { throw new ShouldAssertException($"No confirmation on {page.Url}:\n{await page.ContentAsync()}"); }
        return (await message.TextContentAsync())!;
    }
}
