using Dapper;
using Microsoft.Playwright;
using Netzwerk.Directory.Demo;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Directory.Maintenance;

/// <summary>Chromium: a partner updates the waiting time; a coordinator edits an entry, sees the history, and handles a bad entry.</summary>
public sealed class MaintenanceBrowserTests(NetzwerkWebApp app, Browser browser)
    : IClassFixture<NetzwerkWebApp>, IClassFixture<Browser>
{
    [Fact]
    public async Task Partner_updates_waiting_time_and_free_places_of_its_service()
    {
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.schuldner");
        await page.GotoAsync("/partner/angebote");
        var service = DemoCatalogue.Services.DebtCounsellingKamenz;
        (await page.Locator("main").TextContentAsync())!.ShouldNotContain("Suchtberatung");   // other organisations stay out
        await page.Locator($"#wait-{service}").FillAsync("4");
        await page.Locator($"#cap-{service}").FillAsync("6");
        await page.Locator($"form[action*='{service}'] button", new() { HasText = "Aktualisieren" }).ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("meldung=aktualisiert"), Browser.DomReady);
        (await page.GetByRole(AriaRole.Status).TextContentAsync())!.ShouldContain("aktualisiert");

        await using var db = await app.OpenDatabaseAsync();
        var row = await db.QuerySingleAsync<(int Waiting, int Capacity, string By)>(
            "SELECT waiting_days, capacity_free, waiting_updated_by FROM directory.service WHERE id = @service", new { service });
        row.ShouldBe((4, 6, row.By));
        row.By.ShouldNotBeNullOrWhiteSpace();
        (await db.ExecuteScalarAsync<int>("SELECT waiting_days FROM directory.service_search WHERE service_id = @service", new { service })).ShouldBe(4);

        // Opening hours that make no sense are refused with a German message, nothing changes.
        await page.Locator($"#hours-{service}").FillAsync("Mo 18:00-08:00");
        await page.Locator($"form[action*='{service}'] button", new() { HasText = "Aktualisieren" }).ClickAsync();
        (await page.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("Schließzeit muss nach der Öffnungszeit");
    }

    [Fact]
    public async Task Coordinator_edits_a_service_and_sees_the_change_in_the_history()
    {
        var service = DemoCatalogue.Services.InsolvencyCounsellingKamenz;
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "nk.hoffmann");
        await page.GotoAsync("/pflege?faellig=true");
        (await page.Locator("h2").First.TextContentAsync())!.ShouldContain("Prüfung fällig");

        await page.GotoAsync($"/pflege/angebote/{service}");
        await page.GetByLabel("Wartezeit (Tage)").FillAsync("42");
        await page.GetByLabel("Telefon (eine Nummer pro Zeile)").FillAsync("03578 7777");
        await page.GetByRole(AriaRole.Button, new() { Name = "Speichern" }).ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("meldung=gespeichert"), Browser.DomReady);
        var history = (await page.Locator("#historie + .table-wrap").TextContentAsync())!;
        history.ShouldContain("Wartezeit (Tage)");
        history.ShouldContain("42");
        history.ShouldContain("03578 7777");

        await page.GetByLabel("PLZ", new() { Exact = true }).FillAsync("0191");
        await page.GetByRole(AriaRole.Button, new() { Name = "Speichern" }).ClickAsync();
        (await page.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("fünf Ziffern");

        await page.GotoAsync($"/pflege/angebote/{service}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Als geprüft markieren" }).ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("meldung=geprueft"), Browser.DomReady);
        await using var db = await app.OpenDatabaseAsync();
        (await db.ExecuteScalarAsync<int>("SELECT waiting_days FROM directory.service WHERE id = @service", new { service })).ShouldBe(42);
        (await db.ExecuteScalarAsync<DateTime?>("SELECT verified_at FROM directory.service WHERE id = @service", new { service }))!.Value
            .ShouldBeGreaterThan(DateTime.UtcNow.AddMinutes(-5));
    }
}
