using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Netzwerk.Tests.Infrastructure;
using E = Netzwerk.Referrals.Lifecycle.ReferralStateMachine.EventNames;
using static Netzwerk.Tests.Referrals.Ui.ReferralJourneyBrowserTests;

namespace Netzwerk.Tests.Referrals.Ui;

/// <summary>
/// Issue 19 in Chromium: the referral form keeps its partner unless the user switches deliberately (and confirms), errors are
/// associated with their fields on every referral, consent and partner form, partner pages offer only what the state allows,
/// and the whole referral works with the keyboard alone.
/// </summary>
public sealed class SafeReferralFormBrowserTests(ReferralUiApp app, Browser browser)
    : IClassFixture<ReferralUiApp>, IClassFixture<Browser>
{
    private const string CaseReferenceLabel = "Aktenzeichen (Fallnummer, z. B. BG-12345-67)";
    private const string CreateButton = "Entwurf anlegen und weiter zur Einwilligung";

    [Fact]
    public async Task Alternatives_follow_the_form_explain_themselves_and_switching_asks_first_and_keeps_the_input()
    {
        var fm = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.schmidt");
        await fm.GotoAsync($"/verweisungen/neu?serviceId={ReferralUiApp.DebtService}");
        var current = (await fm.Locator("[data-service-name]").TextContentAsync())!;

        // the alternatives come after the form in the DOM (and so in the tab order), explained in words, no bare score
        (await fm.EvaluateAsync<bool>("""
            () => !!(document.getElementById('referral-form').compareDocumentPosition(document.querySelector('[data-alternatives]')) & Node.DOCUMENT_POSITION_FOLLOWING)
            """)).ShouldBeTrue();
        var explanations = await fm.Locator("[data-alternative] [data-explanation]").AllTextContentsAsync();
        explanations.ShouldNotBeEmpty();
        explanations.ShouldAllBe(x => x.Contains("gleiche Art") && Regex.IsMatch(x, "Landkreis"));
        explanations.ShouldAllBe(x => !Regex.IsMatch(x, @"\b1 freie Plätze|\b1 offene Verweisungen|\b(0|[2-9]\d*) freier Platz\b"));
        (await fm.Locator("main").TextContentAsync())!.ShouldNotContain("Eignung");
        // the suggestion API carries the same words
        var api = await app.ClientFor("fm.schmidt");
        var suggestions = await api.GetFromJsonAsync<JsonElement>($"/api/referrals/suggestions?serviceId={ReferralUiApp.DebtService}");
        suggestions.EnumerateArray().ShouldAllBe(s => s.GetProperty("explanation").GetString()!.Length > 0);

        // a refused submit, then Tab + Enter: focus goes from the error summary into the form, never to a switch
        await fm.GetByLabel(CaseReferenceLabel).FillAsync("BG-55555-55");
        await fm.GetByRole(AriaRole.Button, new() { Name = CreateButton }).ClickAsync();
        await fm.Locator("[data-error-summary]").WaitForAsync();
        await fm.Keyboard.PressAsync("Tab");
        await fm.Keyboard.PressAsync("Enter");
        (await fm.Locator("[data-service-name]").TextContentAsync()).ShouldBe(current);
        (await fm.Locator("[data-switch-confirm]").CountAsync()).ShouldBe(0);

        // the switch button asks first and names both partners; nothing is stored
        await fm.GetByRole(AriaRole.Textbox, new() { Name = "Anlass der Verweisung" }).FillAsync("Mietschulden");
        await fm.GetByLabel("Kontaktdaten (nur wenn freigegeben)").FillAsync("Tel. 0151 000000");
        var first = fm.Locator("[data-alternative]").First;
        var otherId = (await first.GetAttributeAsync("data-alternative"))!;
        var otherName = (await first.Locator("strong").TextContentAsync())!;
        await first.GetByRole(AriaRole.Button).ClickAsync();
        await fm.Locator("[data-switch-confirm]").WaitForAsync();
        await ShotsAsync(fm, "partner-wechseln");
        (await fm.Locator("h1").TextContentAsync()).ShouldBe("Partner wechseln?");
        (await fm.Locator("[data-current]").TextContentAsync()).ShouldBe(current);
        (await fm.Locator("[data-next]").TextContentAsync()).ShouldBe(otherName);
        await using (var db = await app.OpenDatabaseAsync())
        {
            await using var cmd = new Npgsql.NpgsqlCommand("SELECT count(*) FROM referrals.referrals WHERE case_reference = 'BG-55555-55'", db);
            Convert.ToInt32(await cmd.ExecuteScalarAsync()).ShouldBe(0);
        }

        // "Nein": the same partner, the input kept
        var currentOrg = (await fm.Locator("[data-current-org]").TextContentAsync())!;
        var otherOrg = (await fm.Locator("[data-next-org]").TextContentAsync())!;
        currentOrg.ShouldNotBe(otherOrg);
        await fm.GetByRole(AriaRole.Button, new() { Name = $"Nein, bei {currentOrg} bleiben" }).ClickAsync();
        await fm.Locator("#referral-form").WaitForAsync();
        (await fm.Locator("[data-service-name]").TextContentAsync()).ShouldBe(current);
        (await fm.GetByLabel(CaseReferenceLabel).InputValueAsync()).ShouldBe("BG-55555-55");
        (await fm.GetByRole(AriaRole.Textbox, new() { Name = "Anlass der Verweisung" }).InputValueAsync()).ShouldBe("Mietschulden");

        // "Ja": the other partner, the input kept, and the draft goes there
        await fm.Locator($"[data-alternative='{otherId}']").GetByRole(AriaRole.Button).ClickAsync();
        await fm.GetByRole(AriaRole.Button, new() { Name = $"Ja, an {otherOrg} verweisen" }).ClickAsync();
        (await MessageAsync(fm)).ShouldContain("Partner gewechselt");
        (await fm.Locator("[data-service-name]").TextContentAsync()).ShouldBe(otherName);
        (await fm.GetByLabel(CaseReferenceLabel).InputValueAsync()).ShouldBe("BG-55555-55");
        (await fm.GetByLabel("Kontaktdaten (nur wenn freigegeben)").InputValueAsync()).ShouldBe("Tel. 0151 000000");
        await fm.GetByRole(AriaRole.Button, new() { Name = CreateButton }).ClickAsync();
        await fm.Locator("[data-error-summary], h1:has-text('Verweisung ')").First.WaitForAsync();
        (await fm.Locator("[data-error-summary]").CountAsync()).ShouldBe(0, await fm.Locator("main").InnerTextAsync());
        fm.Url.ShouldMatch("/verweisungen/[0-9a-f-]{36}$");
        var id = Guid.Parse(fm.Url.Split('/').Last());
        (await api.GetFromJsonAsync<JsonElement>($"/api/referrals/{id}")).GetProperty("serviceId").GetGuid().ShouldBe(Guid.Parse(otherId));

        // a GET never switches: the old-style link only shows a fresh form and stores nothing
        (await fm.GotoAsync($"/verweisungen/neu?serviceId={otherId}&SwitchTo={ReferralUiApp.DebtService}"))!.Status.ShouldBe(200);
        (await fm.Locator("[data-switch-confirm]").CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Draft_page_puts_sending_first_and_destructive_actions_last_outlined_and_confirmed()
    {
        var api = await app.ClientFor("fm.mueller");
        var created = await api.PostAsJsonAsync("/api/referrals", new
        {
            caseReference = "BG-66666-01", serviceId = ReferralUiApp.DebtService, reason = "Mietschulden", urgency = "normal",
            sharedCategories = new[] { "contact-data", "referral-reason" }, contactDetails = "Tel. 0151 000000",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await api.PostAsJsonAsync($"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung", dataCategories = new[] { "contact-data", "referral-reason" }, feedbackLevel = "attendance",
            form = "signed-paper", givenOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)),
        })).EnsureSuccessStatusCode();

        var fm = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        await fm.GotoAsync($"/verweisungen/{id}");
        await ShotsAsync(fm, "verweisung-entwurf");
        var primaries = fm.Locator("main .primary");
        (await primaries.CountAsync()).ShouldBe(1);
        (await primaries.TextContentAsync())!.Trim().ShouldBe("Verweisung senden");
        // every destructive button is outlined (not filled), inside the separate section after the main action, and confirmed
        var order = await fm.EvaluateAsync<bool>("""
            () => {
              const send = [...document.querySelectorAll('main button')].find(b => b.textContent.trim() === 'Verweisung senden');
              const zone = document.querySelector('[data-danger-zone]');
              const danger = [...document.querySelectorAll('main button.danger')];
              return danger.length >= 2 && danger.every(b => zone.contains(b) && !!(send.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)
                  && getComputedStyle(b).backgroundColor === 'rgb(255, 255, 255)' && b.closest('form').hasAttribute('data-confirm'));
            }
            """);
        order.ShouldBeTrue();
        (await fm.Locator("main").TextContentAsync())!.ShouldNotContain("Person");

        // a refused revocation (not confirmed) keeps everything and associates the message
        await fm.GetByRole(AriaRole.Button, new() { Name = "Widerruf erfassen" }).ClickAsync(); // the dialog is dismissed: nothing posted
        (await fm.Locator("[data-error-summary]").CountAsync()).ShouldBe(0);
        ReferralUiApp.AcceptingDialogs(fm);
        await fm.GetByRole(AriaRole.Button, new() { Name = "Widerruf erfassen" }).ClickAsync();
        await fm.Locator("#ConfirmRevoke-error").WaitForAsync();
        (await BrokenDescriptionsAsync(fm)).ShouldBeEmpty();
        (await fm.GetByLabel("Der Widerruf wurde erklärt.").GetAttributeAsync("aria-invalid")).ShouldBe("true");

        await fm.GetByRole(AriaRole.Button, new() { Name = "Verweisung senden" }).ClickAsync();
        (await MessageAsync(fm)).ShouldContain("gesendet");
    }

    [Fact]
    public async Task Every_aria_describedby_on_the_referral_consent_and_partner_forms_resolves_after_a_failed_submit()
    {
        var fm = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.yilmaz");

        // the referral form before and after a refused submit
        await fm.GotoAsync($"/verweisungen/neu?serviceId={ReferralUiApp.DebtService}");
        (await BrokenDescriptionsAsync(fm)).ShouldBeEmpty("/verweisungen/neu (empty)");
        await fm.GetByRole(AriaRole.Checkbox, new() { Name = "Anlass der Verweisung" }).UncheckAsync();
        await fm.GetByRole(AriaRole.Checkbox, new() { Name = "Kontaktdaten", Exact = true }).UncheckAsync();
        await fm.GetByRole(AriaRole.Button, new() { Name = CreateButton }).ClickAsync();
        await AssertAssociatedAsync(fm, "/verweisungen/neu", "CaseReference", "Reason");
        await ShotsAsync(fm, "verweisung-formular-fehler");

        // the consent form of the draft
        await fm.GetByLabel(CaseReferenceLabel).FillAsync("BG-77777-01");
        await fm.GetByRole(AriaRole.Textbox, new() { Name = "Anlass der Verweisung" }).FillAsync("Schulden");
        await fm.GetByRole(AriaRole.Checkbox, new() { Name = "Anlass der Verweisung" }).CheckAsync();
        await fm.GetByRole(AriaRole.Button, new() { Name = CreateButton }).ClickAsync();
        await fm.WaitForURLAsync(u => Regex.IsMatch(u, "/verweisungen/[0-9a-f-]{36}$"), Browser.DomReady);
        var draft = Guid.Parse(fm.Url.Split('/').Last());
        (await BrokenDescriptionsAsync(fm)).ShouldBeEmpty("/verweisungen/{id} (draft)");
        await fm.GetByLabel("Datum der Einwilligung").FillAsync(DateTime.Today.AddDays(3).ToString("yyyy-MM-dd"));
        await fm.GetByRole(AriaRole.Button, new() { Name = "Einwilligung speichern" }).ClickAsync();
        await AssertAssociatedAsync(fm, "consent form", "GivenOn");

        // the on-screen consent
        await fm.GotoAsync($"/verweisungen/{draft}/einwilligung-digital");
        (await BrokenDescriptionsAsync(fm)).ShouldBeEmpty("einwilligung-digital");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Einwilligung erteilen" }).ClickAsync();
        await AssertAssociatedAsync(fm, "einwilligung-digital", "Confirm");

        // the partner's forms: accept with an unreadable date, attendance without a choice, decline without a reason
        var sent = await app.SentReferralAsync("fm.yilmaz", "BG-77777-02");
        var partner = ReferralUiApp.AcceptingDialogs(await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.schuldner"));
        await partner.GotoAsync($"/partner/verweisungen/{sent}");
        (await BrokenDescriptionsAsync(partner)).ShouldBeEmpty("/partner/verweisungen/{id}");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Ablehnen" }).ClickAsync();
        await AssertAssociatedAsync(partner, "partner decline", "DeclineReason");
        await partner.GetByLabel("Termin (Datum und Uhrzeit, optional)").FillAsync(DateTime.Today.AddYears(3).ToString("yyyy-MM-dd") + "T10:00");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Annehmen" }).ClickAsync();
        await AssertAssociatedAsync(partner, "partner accept", "AppointmentAt");
        await partner.GetByLabel("Termin (Datum und Uhrzeit, optional)").FillAsync("");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Annehmen" }).ClickAsync();
        (await MessageAsync(partner)).ShouldContain("angenommen");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Teilnahme melden" }).ClickAsync();
        await AssertAssociatedAsync(partner, "partner attendance", "Attended");

        // the partner's own listing
        await partner.GotoAsync("/partner/angebote");
        (await BrokenDescriptionsAsync(partner)).ShouldBeEmpty("/partner/angebote");
        var card = partner.Locator("section.partner-service").First;
        await card.GetByLabel("Öffnungszeiten", new() { Exact = false }).FillAsync("Montag immer");
        await card.GetByRole(AriaRole.Button, new() { Name = "Aktualisieren" }).ClickAsync();
        await partner.Locator("[data-error-summary]").WaitForAsync();
        (await BrokenDescriptionsAsync(partner)).ShouldBeEmpty("/partner/angebote (refused)");
        (await partner.Locator("[aria-invalid=true]").CountAsync()).ShouldBe(1);
        (await UnlinkedSummaryAsync(partner)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Partner_pages_offer_exactly_what_the_state_allows_and_never_a_referral_that_was_not_sent()
    {
        var partnerApi = await app.ClientFor("partner.schuldner");
        var fmApi = await app.ClientFor("fm.mueller");
        var partner = await browser.NewPageAsync(app.ServerAddress, demoUser: "partner.schuldner");

        async Task<string[]> CheckAsync(Guid id, string state)
        {
            await partner.GotoAsync($"/partner/verweisungen/{id}");
            var offered = new List<string>();
            foreach (var (e, button) in Buttons)
                if (await partner.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).CountAsync() > 0) offered.Add(e);
            var allowed = (await partnerApi.GetFromJsonAsync<JsonElement>($"/api/partner/referrals/{id}")).GetProperty("allowedActions")
                .EnumerateArray().Select(a => a.GetString()!).ToArray();
            offered.OrderBy(x => x).ShouldBe(allowed.OrderBy(x => x), $"{state}: the page offers what the API allows");
            (await partner.Locator("main .primary").CountAsync()).ShouldBeLessThanOrEqualTo(1, state);
            return [.. offered];
        }

        // requested: answer it
        var requested = await app.SentReferralAsync("fm.mueller", "BG-88888-01");
        var offered = await CheckAsync(requested, "requested");
        await ShotsAsync(partner, "partner-verweisung-neu");
        offered.ShouldContain(E.PartnerAccepted);
        offered.ShouldContain(E.PartnerDeclined);
        offered.ShouldNotContain(E.PartnerReportedAttendance);
        offered.ShouldNotContain(E.PartnerOfferedAppointment);

        // accepted with an appointment in three days: no second acceptance, no decline, no attendance before the day
        var later = await app.SentReferralAsync("fm.mueller", "BG-88888-02");
        var ahead = DateTimeOffset.UtcNow.AddDays(3);
        (await partnerApi.PostAsJsonAsync($"/api/partner/referrals/{later}/accept", new { appointmentAt = ahead })).EnsureSuccessStatusCode();
        offered = await CheckAsync(later, "accepted, appointment ahead");
        offered.ShouldNotContain(E.PartnerAccepted);
        offered.ShouldNotContain(E.PartnerDeclined);
        offered.ShouldNotContain(E.PartnerReportedAttendance);
        (await partner.Locator("legend", new() { HasText = "Termin ändern" }).CountAsync()).ShouldBe(1);
        (await partner.Locator("[data-attendance-from]").TextContentAsync())!.ShouldContain(TimeZoneInfo.ConvertTime(ahead, Netzwerk.Platform.Time.GermanTime.Berlin).ToString("dd.MM.yyyy"));
        await ShotsAsync(partner, "partner-verweisung-angenommen");
        (await partner.Locator("legend", new() { HasTextRegex = new Regex("^Termin anbieten$") }).CountAsync()).ShouldBe(0);
        // the server refuses attendance before the day, too
        (await partnerApi.PostAsJsonAsync($"/api/partner/referrals/{later}/attendance", new { attended = true })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // accepted with the appointment today: attendance may be reported
        var today = await app.SentReferralAsync("fm.mueller", "BG-88888-03");
        var startOfToday = new DateTimeOffset(DateTime.Today.AddMinutes(30), TimeZoneInfo.Local.GetUtcOffset(DateTime.Today));
        (await partnerApi.PostAsJsonAsync($"/api/partner/referrals/{today}/accept", new { appointmentAt = startOfToday })).EnsureSuccessStatusCode();
        (await CheckAsync(today, "accepted, appointment today")).ShouldContain(E.PartnerReportedAttendance);
        (await partner.Locator("[data-attendance-from]").CountAsync()).ShouldBe(0);

        // on the waiting list: accept or decline, not the waiting list again
        var waiting = await app.SentReferralAsync("fm.mueller", "BG-88888-04");
        (await partnerApi.PostAsJsonAsync($"/api/partner/referrals/{waiting}/waitlist", new { note = (string?)null })).EnsureSuccessStatusCode();
        offered = await CheckAsync(waiting, "on hold");
        offered.ShouldContain(E.PartnerAccepted);
        offered.ShouldNotContain(E.PartnerWaitlisted);

        // declined: nothing more to do
        var declined = await app.SentReferralAsync("fm.mueller", "BG-88888-05");
        (await partnerApi.PostAsJsonAsync($"/api/partner/referrals/{declined}/decline", new { reasonCode = "no-capacity" })).EnsureSuccessStatusCode();
        (await CheckAsync(declined, "rejected")).ShouldBeEmpty();

        // a draft cancelled before it was sent: neither listed nor reachable, in any status filter
        var created = await fmApi.PostAsJsonAsync("/api/referrals", new
        {
            caseReference = "BG-88888-06", serviceId = ReferralUiApp.DebtService, reason = "Schulden", urgency = "normal",
            sharedCategories = new[] { "contact-data" }, contactDetails = "Tel. 0151 000000",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var draft = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await fmApi.PostAsJsonAsync($"/api/referrals/{draft}/cancel", new { reason = (string?)null })).EnsureSuccessStatusCode();
        foreach (var filter in new[] { "", "?status=cancelled" })
        {
            await partner.GotoAsync("/partner/verweisungen" + filter);
            (await partner.Locator($"tr[data-referral-id='{draft}']").CountAsync()).ShouldBe(0, filter);
            (await partner.Locator($"tr[data-referral-id='{requested}']").CountAsync()).ShouldBe(filter == "" ? 1 : 0, filter);
        }
        (await partnerApi.GetFromJsonAsync<JsonElement>("/api/partner/referrals")).EnumerateArray()
            .Select(r => r.GetProperty("id").GetGuid()).ShouldNotContain(draft);
        (await partner.GotoAsync($"/partner/verweisungen/{draft}"))!.Status.ShouldBe(404);
        (await partnerApi.GetAsync($"/api/partner/referrals/{draft}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Keyboard_only_from_the_catalogue_to_a_sent_referral()
    {
        var context = await browser.Instance.NewContextAsync(new() { BaseURL = app.ServerAddress.ToString(), Locale = "de-DE" });
        var page = await context.NewPageAsync();
        var kb = page.Keyboard;

        // sign in with the keyboard
        await page.GotoAsync("/anmelden");
        await TabToAsync(page, "el => el.tagName === 'BUTTON' && el.value === 'fm.mueller'");
        await kb.PressAsync("Enter");
        await page.WaitForURLAsync(u => !u.Contains("/anmelden"), Browser.DomReady);

        // the catalogue with the query set; Tab to the Schuldnerberatung Kamenz, open it, "Klient/in verweisen"
        await page.GotoAsync("/katalog?q=Schulden+Kamenz");
        await TabToAsync(page, $"el => el.matches(\".katalog-hit a[href^='/katalog/angebote/{ReferralUiApp.DebtService}']\")");
        await kb.PressAsync("Enter");
        await page.WaitForURLAsync(u => u.Contains($"/katalog/angebote/{ReferralUiApp.DebtService}"), Browser.DomReady);
        await TabToAsync(page, "el => el.tagName === 'A' && el.textContent.trim() === 'Klient/in verweisen'");
        await kb.PressAsync("Enter");
        await page.WaitForURLAsync(u => u.Contains("/verweisungen/neu?serviceId="), Browser.DomReady);

        await ShotsAsync(page, "verweisung-formular");
        // the form: the first Tab stops are its fields, in order
        await TabToAsync(page, "el => el.id === 'CaseReference'");
        await kb.TypeAsync("BG-24680-13");
        await kb.PressAsync("Tab");
        (await ActiveIdAsync(page)).ShouldBe("Reason");
        await kb.TypeAsync("Mietschulden, Stromsperre droht");
        await kb.PressAsync("Tab");
        (await ActiveIdAsync(page)).ShouldBe("Urgency");
        await kb.PressAsync("ArrowDown");
        await TabToAsync(page, "el => el.id === 'ContactDetails'");
        await kb.TypeAsync("Tel. 0151 000000");
        await TabToAsync(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Entwurf anlegen und weiter zur Einwilligung'");
        await kb.PressAsync("Enter");
        await page.WaitForURLAsync(u => Regex.IsMatch(u, "/verweisungen/[0-9a-f-]{36}$"), Browser.DomReady);
        var id = Guid.Parse(page.Url.Split('/').Last());

        // the consent (prefilled from the draft: purpose, date, categories, feedback level, signed paper), then send
        await TabToAsync(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Einwilligung speichern'");
        await kb.PressAsync("Enter");
        (await MessageAsync(page)).ShouldContain("Einwilligung ist erfasst");
        await TabToAsync(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Verweisung senden'");
        await kb.PressAsync("Enter");
        (await MessageAsync(page)).ShouldContain("gesendet");

        var api = await app.ClientFor("fm.mueller");
        var referral = await api.GetFromJsonAsync<JsonElement>($"/api/referrals/{id}");
        referral.GetProperty("status").GetString().ShouldBe("requested");
        referral.GetProperty("serviceId").GetGuid().ShouldBe(ReferralUiApp.DebtService);
        referral.GetProperty("urgency").GetString().ShouldBe("soon"); // ArrowDown on the select: the next option
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty();
    }

    /// <summary>
    /// With NZ_SHOTS set to a folder, saves the page as a person sees it at 1366 × 768 and on a 768 × 1024 tablet (first screen and
    /// whole page) for looking at; without it, nothing.
    /// </summary>
    internal static async Task ShotsAsync(IPage page, string name)
    {
        var dir = Environment.GetEnvironmentVariable("NZ_SHOTS");
        if (string.IsNullOrEmpty(dir)) return;
        System.IO.Directory.CreateDirectory(dir);
        var before = page.ViewportSize;
        foreach (var (width, height) in new[] { (1366, 768), (768, 1024) })
        {
            await page.SetViewportSizeAsync(width, height);
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"{name}-{width}.png") });
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"{name}-{width}-ganz.png"), FullPage = true });
        }
        if (before is not null) await page.SetViewportSizeAsync(before.Width, before.Height);
    }

    /// <summary>The partner's events and the buttons that raise them on the partner page.</summary>
    private static readonly (string Event, string Button)[] Buttons =
    [
        (E.PartnerAccepted, "Annehmen"), (E.PartnerDeclined, "Ablehnen"), (E.PartnerWaitlisted, "Auf die Warteliste"),
        (E.PartnerProposedForwarding, "Weiterleitung vorschlagen"), (E.PartnerOfferedAppointment, "Termin übermitteln"),
        (E.PartnerReportedAttendance, "Teilnahme melden"), (E.PartnerReportedProgress, "Verlauf übermitteln"),
        (E.PartnerReportedOutcome, "Ergebnis übermitteln"),
    ];

    /// <summary>Presses Tab until the focused element matches (a JavaScript predicate); fails after 150 presses.</summary>
    internal static async Task TabToAsync(IPage page, string predicate)
    {
        for (var i = 0; i < 150; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>($"() => {{ const el = document.activeElement; return !!el && ({predicate})(el); }}")) return;
        }
        throw new ShouldAssertException($"Tab never reached {predicate} on {page.Url}");
    }

    private static Task<string> ActiveIdAsync(IPage page) => page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''");

    /// <summary>Every aria-describedby id that names no element on the page, as "element → id".</summary>
    internal static async Task<string[]> BrokenDescriptionsAsync(IPage page) => await page.EvaluateAsync<string[]>("""
        () => [...document.querySelectorAll('[aria-describedby]')].flatMap(el => el.getAttribute('aria-describedby').split(/\s+/)
            .filter(id => id && !document.getElementById(id)).map(id => (el.id || el.getAttribute('name') || el.tagName) + ' → ' + id))
        """);

    /// <summary>Error-summary links whose target is not on the page.</summary>
    private static async Task<string[]> UnlinkedSummaryAsync(IPage page) => await page.EvaluateAsync<string[]>("""
        () => [...document.querySelectorAll('[data-error-summary] a[href^="#"]')].map(a => a.getAttribute('href').slice(1))
            .filter(id => !document.getElementById(id))
        """);

    /// <summary>After a refused submit: a summary, the named fields invalid and described by their message, and no dangling id.</summary>
    private static async Task AssertAssociatedAsync(IPage page, string form, params string[] fields)
    {
        await page.Locator("[data-error-summary]").WaitForAsync();
        (await BrokenDescriptionsAsync(page)).ShouldBeEmpty(form);
        (await UnlinkedSummaryAsync(page)).ShouldBeEmpty(form);
        foreach (var field in fields)
        {
            var described = await page.EvaluateAsync<string>($$"""
                () => { const el = document.getElementById('{{field}}');
                        return (el.getAttribute('aria-describedby') || '').split(/\s+/).map(id => document.getElementById(id)?.textContent ?? '').join(' '); }
                """);
            described.ShouldNotBeNullOrWhiteSpace($"{form}: {field} is described by its message");
            var invalid = await page.EvaluateAsync<string?>($"() => document.getElementById('{field}').getAttribute('aria-invalid')");
            var isGroup = await page.EvaluateAsync<bool>($"() => document.getElementById('{field}').tagName === 'FIELDSET'");
            if (!isGroup) invalid.ShouldBe("true", $"{form}: {field} is marked invalid");
        }
    }
}
