using System.Net.Http.Json;
using Microsoft.Playwright;
using Netzwerk.Platform.Time;
using Netzwerk.Tests.Infrastructure;
using static Netzwerk.Tests.Referrals.Ui.ReferralJourneyBrowserTests;

namespace Netzwerk.Tests.Referrals.Ui;

/// <summary>Revocation, route editing, German validation, the inbox without JavaScript and the full-feedback partner actions in Chromium.</summary>
public sealed class ReferralPagesBrowserTests(ReferralUiApp app, Browser browser)
    : IClassFixture<ReferralUiApp>, IClassFixture<Browser>
{
    [Fact]
    public async Task Consent_revocation_removes_the_client_data_from_the_partner_page()
    {
        var id = await app.SentReferralAsync("fm.schmidt", "BG-22222-22");
        var partner = await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.schuldner");
        await partner.GotoAsync($"/partner/verweisungen/{id}");
        (await partner.Locator("[data-case-reference]").TextContentAsync()).ShouldBe("BG-22222-22");

        var fm = ReferralUiApp.AcceptingDialogs(await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.schmidt"));
        await fm.GotoAsync($"/verweisungen/{id}");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Widerruf erfassen" }).ClickAsync();
        (await fm.Locator("#ConfirmRevoke-error").TextContentAsync())!.ShouldContain("Bitte bestätigen Sie");
        (await fm.Locator("h1 .status").TextContentAsync()).ShouldBe("Gesendet");
        await fm.GetByLabel("Der Widerruf wurde erklärt.").CheckAsync();
        await fm.GetByRole(AriaRole.Button, new() { Name = "Widerruf erfassen" }).ClickAsync();
        (await MessageAsync(fm)).ShouldContain("Widerruf ist erfasst");
        (await fm.Locator("h1 .status").TextContentAsync()).ShouldBe("Storniert");
        (await fm.Locator("[data-consent]").TextContentAsync())!.ShouldContain("Widerrufen am");

        await partner.ReloadAsync();
        (await partner.Locator("[data-no-client-data]").IsVisibleAsync()).ShouldBeTrue();
        (await partner.Locator("[data-case-reference]").CountAsync()).ShouldBe(0);
        var html = await partner.ContentAsync();
        html.ShouldNotContain("BG-22222-22");
        html.ShouldNotContain("Mietschulden");
        html.ShouldNotContain("0151 000000");
        (await partner.GetByRole(AriaRole.Button, new() { Name = "Annehmen" }).CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Coordinator_edits_a_route_and_gets_a_new_version_with_history()
    {
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "nk.hoffmann");
        await page.GotoAsync("/wege");
        var section = page.Locator("section[data-route=schuldnerberatung]");
        var version = int.Parse((await section.Locator("[data-version]").TextContentAsync())!);
        await section.GetByRole(AriaRole.Link, new() { Name = "Bearbeiten (neue Version)" }).ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("/wege/bearbeiten?weg=schuldnerberatung"), Browser.DomReady);

        // out of range: German message next to the field, nothing saved
        await page.GetByLabel("Antwortfrist des Partners (Arbeitstage)").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Als neue Version speichern" }).ClickAsync();
        (await page.Locator("#ResponseWorkingDays-error").TextContentAsync())!.ShouldContain("zwischen 1 und 60 Arbeitstagen");
        (await page.Locator("[data-error-summary]").TextContentAsync())!.ShouldContain("Bitte prüfen Sie");

        await page.GetByLabel("Antwortfrist des Partners (Arbeitstage)").FillAsync("7");
        await page.GetByLabel("Erinnerungen nach … Arbeitstagen (durch Komma getrennt)").FillAsync("2, 5");
        await page.GetByLabel("Netzwerkkoordination").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Als neue Version speichern" }).ClickAsync();
        (await MessageAsync(page)).ShouldContain($"Version {version + 1}");
        section = page.Locator("section[data-route=schuldnerberatung]");
        (await section.Locator("[data-version]").TextContentAsync()).ShouldBe((version + 1).ToString());
        (await section.Locator("[data-response-days]").TextContentAsync()).ShouldBe("7 Arbeitstage");
        (await section.TextContentAsync())!.ShouldContain("an Netzwerkkoordination");

        // the route page: its picture, the same facts as text, every version
        await section.GetByRole(AriaRole.Link, new() { Name = "ansehen" }).ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("/wege/weg?weg=schuldnerberatung"), Browser.DomReady);
        (await page.Locator("figure[data-picture] svg[role=img] title").TextContentAsync()).ShouldBe($"Verweisungsweg „Schuldnerberatung“, Version {version + 1}");
        (await page.Locator("[data-facts]").TextContentAsync())!.ShouldContain("Antwort in 7 Arbeitstagen, Erinnerungen nach 2 und 5, Eskalation an Netzwerkkoordination nach 10");
        (await page.Locator("[data-history] tbody tr").CountAsync()).ShouldBe(version + 1);

        // a Fallmanager may not edit routes
        var fm = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        await fm.GotoAsync("/wege/bearbeiten?art=schuldnerberatung");
        (await fm.Locator("form button:has-text('Als neue Version speichern')").CountAsync()).ShouldBe(0);
    }

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    [Fact]
    public async Task Forms_show_german_messages_next_to_the_fields_and_never_an_error_page()
    {
        var fm = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.yilmaz");
        await fm.GotoAsync($"/verweisungen/neu?serviceId={ReferralUiApp.DebtService}");
        await fm.GetByLabel("Kontaktdaten", new() { Exact = true }).UncheckAsync();
        await fm.GetByRole(AriaRole.Checkbox, new() { Name = "Anlass der Verweisung" }).UncheckAsync();
        await fm.GetByLabel("Aktenzeichen (Fallnummer, z. B. BG-12345-67)").FillAsync("Max Mustermann");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Entwurf anlegen und weiter zur Einwilligung" }).ClickAsync();
        (await fm.Locator("#CaseReference-error").TextContentAsync())!.ShouldContain("keine Namen");
        (await fm.Locator("#Reason-error").TextContentAsync())!.ShouldContain("Bitte geben Sie den Anlass");
        (await fm.Locator("#SharedCategories-error").TextContentAsync())!.ShouldContain("Datenkategorien");
        (await fm.Locator("[data-error-summary] a[href='#CaseReference']").CountAsync()).ShouldBe(1);
        (await fm.EvaluateAsync<bool>("() => document.activeElement?.hasAttribute('data-error-summary') === true")).ShouldBeTrue();
        (await fm.GetByLabel("Aktenzeichen (Fallnummer, z. B. BG-12345-67)").GetAttributeAsync("aria-invalid")).ShouldBe("true");

        await fm.GetByLabel("Aktenzeichen (Fallnummer, z. B. BG-12345-67)").FillAsync("BG-33333-33");
        await fm.GetByRole(AriaRole.Textbox, new() { Name = "Anlass der Verweisung" }).FillAsync("Schulden");
        await fm.GetByRole(AriaRole.Checkbox, new() { Name = "Anlass der Verweisung" }).CheckAsync();
        await fm.GetByRole(AriaRole.Button, new() { Name = "Entwurf anlegen und weiter zur Einwilligung" }).ClickAsync();
        await fm.WaitForURLAsync(u => System.Text.RegularExpressions.Regex.IsMatch(u, "/verweisungen/[0-9a-f-]{36}$"), Browser.DomReady);

        // evidence that is not a PDF/PNG/JPEG is refused by the server (the browser's accept= is only a hint)
        await fm.GetByLabel("Nachweis hochladen", new() { Exact = false }).SetInputFilesAsync(
            new FilePayload { Name = "scan.pdf", MimeType = "application/pdf", Buffer = "kein PDF"u8.ToArray() });
        await fm.GetByRole(AriaRole.Button, new() { Name = "Einwilligung speichern" }).ClickAsync();
        (await fm.Locator("#Evidence-error").TextContentAsync())!.ShouldContain("nur PDF-, PNG- oder JPEG");
        (await fm.Locator("[data-consent]").CountAsync()).ShouldBe(0);

        // a PNG above 5 MB: refused with a message, not a 413 or an error page
        var big = new byte[6 * 1024 * 1024];
        Png.CopyTo(big, 0);
        await fm.GetByLabel("Nachweis hochladen", new() { Exact = false }).SetInputFilesAsync(
            new FilePayload { Name = "scan.png", MimeType = "image/png", Buffer = big });
        await fm.GetByRole(AriaRole.Button, new() { Name = "Einwilligung speichern" }).ClickAsync();
        (await fm.Locator("#Evidence-error").TextContentAsync())!.ShouldContain("höchstens 5 MB");

        // a consent date in the future: the handler's message appears next to the date
        await fm.GetByLabel("Datum der Einwilligung").FillAsync(DateTime.Today.AddDays(3).ToString("yyyy-MM-dd"));
        await fm.GetByRole(AriaRole.Button, new() { Name = "Einwilligung speichern" }).ClickAsync();
        (await fm.Locator("#GivenOn-error").TextContentAsync())!.ShouldContain("nicht in der Zukunft");

        // unknown ids are a 404 page, not an error
        (await fm.GotoAsync($"/verweisungen/{Guid.NewGuid()}"))!.Status.ShouldBe(404);
        (await fm.GotoAsync($"/verweisungen/neu?serviceId={Guid.NewGuid()}"))!.Status.ShouldBe(404);
        (await fm.Locator("main").TextContentAsync())!.ShouldContain("Bitte wählen Sie zuerst im");
    }

    [Fact]
    public async Task Inbox_works_without_javascript()
    {
        var id = await app.SentReferralAsync("fm.mueller", "BG-44444-44");
        var partnerApi = await app.ClientFor("partner.schuldner");
        (await partnerApi.PostAsJsonAsync($"/api/partner/referrals/{id}/accept", new { appointmentAt = (DateTimeOffset?)null })).EnsureSuccessStatusCode();

        var context = await browser.Instance.NewContextAsync(new() { BaseURL = app.ServerAddress.ToString(), Locale = "de-DE", JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/anmelden");
        await page.ClickAsync("button[value='fm.mueller']");
        await page.WaitForURLAsync(u => !u.Contains("/anmelden"), Browser.DomReady);

        var item = page.Locator($"[data-inbox-list] li:has(a[href='/verweisungen/{id}'])");
        for (var attempt = 0; attempt < 100 && await item.CountAsync() == 0; attempt++)
        {
            await page.GotoAsync("/rueckmeldungen");   // without JavaScript the user reloads; the message travels through RabbitMQ
            if (await item.CountAsync() == 0) await Task.Delay(200);
        }
        (await item.TextContentAsync())!.ShouldContain("Verweisung angenommen");
        (await item.Locator("[data-read-state]").TextContentAsync()).ShouldBe("neu");
        await item.GetByRole(AriaRole.Button, new() { Name = "Als gelesen markieren" }).ClickAsync();
        await page.WaitForURLAsync(u => u.EndsWith("/rueckmeldungen"), Browser.DomReady);
        (await item.Locator("[data-read-state]").TextContentAsync()).ShouldBe("gelesen");
    }

    [Fact]
    public async Task With_full_consent_the_partner_reports_progress_and_outcome_and_the_fallmanager_closes()
    {
        var id = await app.SentReferralAsync("fm.schmidt", "BG-55555-55", feedbackLevel: "full");
        var partner = await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.schuldner");
        await partner.GotoAsync($"/partner/verweisungen/{id}");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Annehmen" }).ClickAsync();
        (await MessageAsync(partner)).ShouldContain("angenommen");
        await partner.GetByLabel("Verlauf", new() { Exact = true }).FillAsync("Erstgespräch geführt, Haushaltsplan erstellt.");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Verlauf übermitteln" }).ClickAsync();
        (await MessageAsync(partner)).ShouldContain("Verlaufsmeldung");
        await partner.GetByLabel("Ergebnis", new() { Exact = true }).SelectOptionAsync("completed-with-result");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Ergebnis übermitteln" }).ClickAsync();
        (await MessageAsync(partner)).ShouldContain("Ergebnis ist an das Jobcenter übermittelt");

        var fm = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.schmidt");
        await fm.GotoAsync($"/verweisungen/{id}");
        (await fm.Locator("[data-feedback]").TextContentAsync())!.ShouldContain("Haushaltsplan");
        // a mismatching reason is refused with the handler's German message
        await fm.GetByLabel("Ohne Erfolg").CheckAsync();
        await fm.GetByLabel("Grund", new() { Exact = true }).SelectOptionAsync("completed-with-result");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Abschließen" }).ClickAsync();
        (await fm.Locator("#CloseReason-error").TextContentAsync())!.ShouldContain("passt nicht");
        await fm.GetByLabel("Erfolgreich").CheckAsync();
        await fm.GetByLabel("Grund", new() { Exact = true }).SelectOptionAsync("completed-with-result");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Abschließen" }).ClickAsync();
        (await MessageAsync(fm)).ShouldContain("abgeschlossen");
        (await fm.Locator("h1 .status").TextContentAsync()).ShouldBe("Erfolgreich abgeschlossen");

        var coordinator = await browser.NewPageAsync(app.ServerAddress, demoUser: "nk.hoffmann");
        await coordinator.GotoAsync("/kennzahlen");
        (await coordinator.Locator("table[data-table=funnel] tr[data-key=S4] td").First.TextContentAsync())!.Trim().ShouldMatch(@"^(\d+|< 5)$");
        (await coordinator.Locator("table[data-table=drops]").CountAsync()).ShouldBe(1);
        (await coordinator.ContentAsync()).ShouldNotContain("BG-55555-55");
    }

    [Fact]
    public async Task An_access_link_session_sees_only_its_one_referral()
    {
        var linked = await app.SentReferralAsync("fm.mueller", "BG-66666-66");
        var other = await app.SentReferralAsync("fm.mueller", "BG-77777-77");
        var token = Netzwerk.Platform.Identity.LinkTokens.New();
        await using (var db = await app.OpenDatabaseAsync())
        {
            // the link the e-mail would carry (the mail itself is the identity module's subject)
            await using var cmd = new Npgsql.NpgsqlCommand("""
                INSERT INTO referrals.partner_access_links (id, referral_id, organization_id, service_id, case_manager_id, token_hash, reference, created_at, expires_at)
                VALUES ($1, $2, $3, $4, 'fm.mueller', $5, $6, now(), now() + interval '1 day')
                ON CONFLICT (referral_id) WHERE purpose = 'referral' DO UPDATE SET token_hash = excluded.token_hash, revoked_at = NULL, expires_at = excluded.expires_at
                """, db);
            cmd.Parameters.AddWithValue(Guid.NewGuid());
            cmd.Parameters.AddWithValue(linked);
            cmd.Parameters.AddWithValue(Netzwerk.Platform.Identity.DemoUsers.Organizations.DebtCounsellingKamenz);
            cmd.Parameters.AddWithValue(ReferralUiApp.DebtService);
            cmd.Parameters.AddWithValue(Netzwerk.Platform.Identity.LinkTokens.Hash(token));
            cmd.Parameters.AddWithValue(Netzwerk.Referrals.PartnerLinks.AccessLinks.NewReference());
            await cmd.ExecuteNonQueryAsync();
        }

        var page = await browser.NewPageAsync(app.ServerAddress);
        await page.GotoAsync($"/zugang/{token}");
        await page.WaitForURLAsync(u => u.EndsWith($"/partner/verweisungen/{linked}"), Browser.DomReady);
        (await page.Locator("[data-case-reference]").TextContentAsync()).ShouldBe("BG-66666-66");

        // the session answers its referral …
        await page.GetByRole(AriaRole.Button, new() { Name = "Annehmen" }).ClickAsync();
        (await MessageAsync(page)).ShouldContain("angenommen");

        // … and reaches no other: the list is refused by the host's link-session guard or lists only this one
        await page.GotoAsync("/partner/verweisungen");
        var list = await page.ContentAsync();
        list.ShouldNotContain(other.ToString());
        list.ShouldNotContain("BG-77777-77");
        (await page.Locator("tr[data-referral-id]").CountAsync()).ShouldBeLessThanOrEqualTo(1);
        (await page.GotoAsync($"/partner/verweisungen/{other}"))!.Status.ShouldBeOneOf(403, 404);
        (await page.ContentAsync()).ShouldNotContain("BG-77777-77");

        // the account of the same organisation sees both
        var account = await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.schuldner");
        await account.GotoAsync("/partner/verweisungen");
        (await account.Locator($"tr[data-referral-id='{other}']").CountAsync()).ShouldBe(1);
        (await account.Locator($"tr[data-referral-id='{linked}']").CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Figures_api_is_aggregates_only_and_validates_its_filter()
    {
        var id = await app.SentReferralAsync("fm.yilmaz", "BG-88888-88");
        var partner = await app.ClientFor("partner.schuldner");
        (await partner.PostAsJsonAsync($"/api/partner/referrals/{id}/decline", new { reasonCode = "no-capacity" })).EnsureSuccessStatusCode();

        var coordinator = await app.ClientFor("nk.hoffmann");
        var today = GermanTime.Today.ToString("yyyy-MM-dd");
        var response = await coordinator.GetAsync($"/api/figures?from={today}&to={today}&kind=schuldnerberatung");
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, body);
        var figures = System.Text.Json.JsonDocument.Parse(body).RootElement;
        var drops = figures.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "drops");
        drops.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("key").GetString()).ShouldContain("1:declined:no-capacity");
        body.ShouldNotContain("BG-88888-88");
        body.ShouldNotContain(id.ToString());

        // a period before any referral counts nothing
        var empty = System.Text.Json.JsonDocument.Parse(await coordinator.GetStringAsync("/api/figures?from=2001-01-01&to=2001-12-31")).RootElement;
        empty.GetProperty("tables")[0].GetProperty("rows")[0].GetProperty("cells")[0].GetProperty("text").GetString().ShouldBe("0");

        var bad = await coordinator.GetAsync("/api/figures?from=gestern");
        bad.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("JJJJ-MM-TT");
        (await (await app.ClientFor("ds.becker")).GetAsync("/api/figures")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Partner_declines_with_a_reason_the_fallmanager_cancels_and_marks_entered_in_error_the_team_lead_only_reads()
    {
        var declined = await app.SentReferralAsync("fm.mueller", "BG-99999-01");
        // declining is confirmed (data-confirm): the user answers "OK"
        var partner = ReferralUiApp.AcceptingDialogs(await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.schuldner"));
        await partner.GotoAsync($"/partner/verweisungen/{declined}");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Ablehnen" }).ClickAsync();
        (await partner.Locator("#DeclineReason-error").TextContentAsync())!.ShouldContain("Bitte wählen Sie einen Grund");
        (await partner.Locator("h1 .status").TextContentAsync()).ShouldBe("Gesendet");
        await partner.GetByLabel("Grund", new() { Exact = true }).SelectOptionAsync("not-eligible");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Ablehnen" }).ClickAsync();
        (await MessageAsync(partner)).ShouldContain("abgelehnt");
        (await partner.Locator("h1 .status").TextContentAsync()).ShouldBe("Abgelehnt");
        (await partner.Locator("[data-no-client-data]").IsVisibleAsync()).ShouldBeTrue();

        // the team lead sees the team's referral but no actions (only the responsible Fallmanager or the deputy acts)
        var lead = await browser.NewPageAsync(app.ServerAddress, demoUser: "tl.weber");
        await lead.GotoAsync($"/verweisungen/{declined}");
        (await lead.Locator("h1 .status").TextContentAsync()).ShouldBe("Abgelehnt");
        (await lead.Locator("main form").CountAsync()).ShouldBe(0);

        var cancelled = await app.SentReferralAsync("fm.mueller", "BG-99999-02");
        var fm = ReferralUiApp.AcceptingDialogs(await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller"));
        await fm.GotoAsync($"/verweisungen/{cancelled}");
        await fm.GetByLabel("Grund (optional, ohne Namen)").FillAsync("Person ist verzogen");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Stornieren" }).ClickAsync();
        (await MessageAsync(fm)).ShouldContain("storniert");
        (await fm.Locator("h1 .status").TextContentAsync()).ShouldBe("Storniert");
        (await fm.GetByRole(AriaRole.Button, new() { Name = "Abschließen" }).CountAsync()).ShouldBe(0);
        await fm.GetByRole(AriaRole.Button, new() { Name = "Als irrtümlich erfasst markieren" }).ClickAsync();
        (await MessageAsync(fm)).ShouldContain("irrtümlich");
        (await fm.Locator("h1 .status").TextContentAsync()).ShouldBe("Irrtümlich erfasst");

        // the list filters by status
        await fm.GotoAsync("/verweisungen?status=rejected");
        (await fm.Locator($"tr[data-referral-id='{declined}']").CountAsync()).ShouldBe(1);
        (await fm.Locator($"tr[data-referral-id='{cancelled}']").CountAsync()).ShouldBe(0);
        await fm.GotoAsync("/verweisungen");   // default: open ones only
        (await fm.Locator($"tr[data-referral-id='{declined}']").CountAsync()).ShouldBe(0);
        await fm.GotoAsync("/verweisungen?status=alle");
        (await fm.Locator($"tr[data-referral-id='{cancelled}'] .status").First.TextContentAsync()).ShouldBe("Irrtümlich erfasst");

        // a stale page: the Fallmanager cancels while the partner's form is open — the handler's 409 becomes a German message
        var stale = await app.SentReferralAsync("fm.mueller", "BG-99999-03");
        await partner.GotoAsync($"/partner/verweisungen/{stale}");
        var fmApi = await app.ClientFor("fm.mueller");
        (await fmApi.PostAsJsonAsync($"/api/referrals/{stale}/cancel", new { reason = (string?)null })).EnsureSuccessStatusCode();
        var response = await partner.RunAndWaitForResponseAsync(() => partner.GetByRole(AriaRole.Button, new() { Name = "Annehmen" }).ClickAsync(),
            r => r.Url.Contains("handler=Accept") && r.Request.Method == "POST");
        response.Status.ShouldBe(200);
        (await partner.Locator("[data-error-summary]").TextContentAsync())!.ShouldContain("nicht möglich");
        (await partner.Locator("h1 .status").TextContentAsync()).ShouldBe("Storniert");
        (await partner.GetByRole(AriaRole.Button, new() { Name = "Annehmen" }).CountAsync()).ShouldBe(0);
    }
}
