using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Netzwerk.Directory.Demo;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Tests.Identity;
using Netzwerk.Tests.Identity.PartnerLinks;
using Netzwerk.Tests.Infrastructure;
using Npgsql;

namespace Netzwerk.Tests.Referrals.Prompts;

/// <summary>
/// Issue 16, second half: the prompt texts are versioned templates the Netzwerkkoordination edits with a preview (a
/// placeholder for client data is refused), the next prompt uses the new version; partners are asked for a progress report
/// every N weeks; and a prompt's link does only what its mail asks.
/// </summary>
public sealed class PromptTemplateTests(PromptApp app) : IClassFixture<PromptApp>
{
    private static readonly string Partner = DemoCatalogue.DebtCounsellingKamenzReferralEmail;

    private async Task RouteAsync(string feedbackLevel, object prompts)
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var put = await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", new
        {
            name = "Schuldnerberatung mit E-Mails an den Partner",
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data", "referral-reason" }, defaultFeedbackLevel = feedbackLevel },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 3 }, escalationWorkingDays = 10, escalationTarget = "Teamleitung" },
                prompts,
            },
        });
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    private async Task<Guid> SendAsync(HttpClient fm, string feedbackLevel)
    {
        var created = await fm.PostAsJsonAsync("/api/referrals", new
        {
            caseReference = "BG-TEMPLATE-0815", serviceId = DemoCatalogue.Services.DebtCounsellingKamenz, reason = "Kontopfändung", urgency = "soon",
            sharedCategories = new[] { "contact-data", "referral-reason" }, contactDetails = "Tel. 0170 1111111",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var referral = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var consent = await fm.PostAsJsonAsync($"/api/referrals/{referral}/consent", new
        {
            purpose = "Vermittlung in die Schuldnerberatung", dataCategories = new[] { "contact-data", "referral-reason" },
            feedbackLevel, form = "signed-paper", givenOn = app.Clock.Today(),
        });
        consent.StatusCode.ShouldBe(HttpStatusCode.OK, await consent.Content.ReadAsStringAsync());
        (await fm.PostAsync($"/api/referrals/{referral}/send", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return referral;
    }

    private async Task<string> ReferenceAsync(Guid referral) => await TestProcesses.EventuallyAsync(async () =>
        await app.ScalarAsync<string>("SELECT reference FROM referrals.partner_access_links WHERE referral_id = $1 AND purpose = 'referral'", referral),
        "access link");

    private IReadOnlyList<ReceivedMail> MailsAbout(string reference) => app.MailsTo(Partner).Where(m => m.Subject.Contains(reference)).ToList();

    private Task<ReceivedMail> MailAsync(string reference, string subjectPart, int skip = 0) => TestProcesses.EventuallyAsync(() =>
        Task.FromResult(MailsAbout(reference).Where(m => m.Subject.Contains(subjectPart)).Skip(skip).FirstOrDefault()), $"mail '{subjectPart}' #{skip + 1}");

    private async Task<DateTimeOffset> DueAtAsync(Guid referral, string kind) => new(DateTime.SpecifyKind((DateTime)await TestProcesses.EventuallyAsync(async () =>
        await app.ScalarAsync<DateTime?>("SELECT due_at FROM workflows.deadlines WHERE subject_id = $1 AND kind = $2 AND fired_at IS NULL AND cancelled_at IS NULL",
            referral, kind) is { } d ? (object)d : null, $"deadline {kind}"), DateTimeKind.Utc));

    private void MoveClockTo(DateTimeOffset at)
    {
        if (at > app.Clock.GetUtcNow()) app.Clock.Advance(at - app.Clock.GetUtcNow());
    }

    private string LinkIn(ReceivedMail mail) => Regex.Match(mail.Body, Regex.Escape(app.BaseUrl) + "/zugang/[A-Za-z0-9_-]{43}").Value;

    /// <summary>A browser-like client that opened the e-mailed link: the link's session cookie and the page's anti-forgery token.</summary>
    private async Task<(HttpClient Client, string Page, string Token)> OpenLinkAsync(string link, Guid referral)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(app.BaseUrl) };
        (await client.GetAsync(link)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await client.GetStringAsync($"/partner/verweisungen/{referral}");
        return (client, page, NetzwerkApp.FormToken(page));
    }

    /// <summary>A cookie session through the demo sign-in page, against the real server.</summary>
    private async Task<HttpClient> SignedInAsync(string user)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        var signIn = await client.PostAsync("/anmelden", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user"] = user, ["__RequestVerificationToken"] = NetzwerkApp.FormToken(await client.GetStringAsync("/anmelden")),
        }));
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return client;
    }

    private static Task<HttpResponseMessage> PostWithTokenAsync(HttpClient client, string token, string url, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-CSRF-TOKEN", token);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task A_template_with_a_client_data_placeholder_is_refused_and_the_next_prompt_uses_the_saved_version()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");

        // Only the Netzwerkkoordination maintains the texts.
        (await fm.GetAsync("/api/prompt-templates")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await partner.GetAsync("/api/prompt-templates")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await fm.PutAsJsonAsync($"/api/prompt-templates/{PromptKinds.Reminder}", new { subject = "x {Referenz}", body = "{Link}" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var list = await coordinator.GetFromJsonAsync<JsonElement>("/api/prompt-templates");
        var reminder = list.GetProperty("templates").EnumerateArray().Single(t => t.GetProperty("kind").GetString() == PromptKinds.Reminder);
        reminder.GetProperty("version").GetInt32().ShouldBe(1);
        reminder.GetProperty("subject").GetString().ShouldBe("Erinnerung: Verweisung {Referenz} wartet auf Ihre Antwort");

        // Client data, a typo'd placeholder or a link in the end notice: a German 422 that names the placeholder; nothing stored.
        foreach (var (subject, body, named) in new[]
                 {
                     ("Erinnerung {Referenz}", "Guten Tag {Name}, bitte antworten: {Link}", "{Name}"),
                     ("Erinnerung für {Geburtsdatum}", "Bitte antworten: {Link}", "{Geburtsdatum}"),
                     ("Erinnerung {Aktenzeichen}", "Bitte antworten: {Link}", "{Aktenzeichen}"),
                     ("Erinnerung {Referenz}", "Fall {Fallnummer}: {Link}", "{Fallnummer}"),
                     ("Erinnerung {Referenz", "Bitte antworten: {Link}", "{Referenz"),
                 })
        {
            var refused = await coordinator.PutAsJsonAsync($"/api/prompt-templates/{PromptKinds.Reminder}", new { subject, body });
            refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, subject);
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain(named);
            var preview = await coordinator.PostAsJsonAsync($"/api/prompt-templates/{PromptKinds.Reminder}/preview", new { subject, body });
            preview.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        }
        var endWithLink = await coordinator.PutAsJsonAsync($"/api/prompt-templates/{PromptKinds.EndNotice}", new { subject = "Beendet: {Referenz}", body = "Hier: {Link}" });
        endWithLink.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await endWithLink.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("{Link}");
        (await coordinator.GetFromJsonAsync<JsonElement>($"/api/prompt-templates/{PromptKinds.Reminder}"))
            .GetProperty("versions").GetArrayLength().ShouldBe(1);

        // Preview with sample values, then save: version 2.
        const string NewSubject = "Kurze Erinnerung zu {Referenz} ({Angebot})";
        const string NewBody = "Hallo {Partner},\n\nbitte beantworten Sie die Verweisung {Referenz}:\n{Link}\n\nDer Link gilt bis {GueltigBis}.\n\nIhr Jobcenter";
        var shown = await (await coordinator.PostAsJsonAsync($"/api/prompt-templates/{PromptKinds.Reminder}/preview", new { subject = NewSubject, body = NewBody }))
            .Content.ReadFromJsonAsync<JsonElement>();
        shown.GetProperty("subject").GetString().ShouldBe("Kurze Erinnerung zu NZ-MUST-ER12 (Beispielangebot)");
        shown.GetProperty("body").GetString()!.ShouldStartWith("Hallo Beispiel-Träger e. V.,");
        var saved = await coordinator.PutAsJsonAsync($"/api/prompt-templates/{PromptKinds.Reminder}", new { subject = NewSubject, body = NewBody });
        saved.StatusCode.ShouldBe(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32().ShouldBe(2);

        // The next reminder is written from version 2 and says so.
        await RouteAsync("attendance", new { kind = "partner-prompts", reminder = true, overdue = false, attendance = false, endNotice = false });
        var referral = await SendAsync(fm, "attendance");
        var reference = await ReferenceAsync(referral);
        MoveClockTo((await DueAtAsync(referral, DeadlineKinds.Reminder)).AddMinutes(1));
        var mail = await MailAsync(reference, "Kurze Erinnerung");
        mail.Subject.ShouldStartWith($"Kurze Erinnerung zu {reference} (");
        mail.Body.ShouldContain("Hallo Schuldner- und Insolvenzberatung der Diakonie Kamenz,");
        LinkIn(mail).ShouldNotBeEmpty(mail.Body);
        mail.Body.ShouldNotContain("{");
        foreach (var secret in new[] { "BG-TEMPLATE-0815", "Kontopfändung", "0170" }) mail.Raw.ShouldNotContain(secret);
        (await app.ScalarAsync<int>("SELECT template_version FROM referrals.partner_prompts WHERE referral_id = $1 AND kind = $2", referral, PromptKinds.Reminder))
            .ShouldBe(2);
    }

    [Fact]
    public async Task Coordinator_edits_a_text_with_preview_on_the_page_and_other_roles_are_refused()
    {
        var page = await app.Browser.NewPageAsync(new Uri(app.BaseUrl), demoUser: "nk.hoffmann");
        await page.GotoAsync("/wege");
        await page.GetByRole(AriaRole.Link, new() { Name = "Texte der E-Mails an Partner" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Antwortfrist abgelaufen" }).ClickAsync();
        await page.WaitForURLAsync(u => u.Contains($"art={PromptKinds.Overdue}"), Browser.DomReady);
        (await page.TextContentAsync("[data-current-version]"))!.Trim().ShouldBe("1");
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty("/wege/e-mail-texte");

        await page.GetByLabel("Betreff").FillAsync("Frist vorbei: {Fallnummer}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Vorschau" }).ClickAsync();
        await page.WaitForSelectorAsync("#Subject[aria-invalid=true]");
        (await page.TextContentAsync("main"))!.ShouldContain("{Fallnummer}");
        (await page.Locator("[data-preview]").CountAsync()).ShouldBe(0);
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty("/wege/e-mail-texte with an error");

        await page.GetByLabel("Betreff").FillAsync("Frist vorbei: Verweisung {Referenz} an {Partner}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Vorschau" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-preview-subject]");
        (await page.TextContentAsync("[data-preview-subject]"))!.ShouldBe("Frist vorbei: Verweisung NZ-MUST-ER12 an Beispiel-Träger e. V.");
        (await page.TextContentAsync("[data-preview-body]"))!.ShouldContain("https://netzwerk.example/zugang/BEISPIEL-LINK");
        await page.GetByRole(AriaRole.Button, new() { Name = "Als neue Version speichern" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-message]");
        (await page.TextContentAsync("[data-message]"))!.ShouldContain("Version 2");
        (await page.TextContentAsync("[data-current-version]"))!.Trim().ShouldBe("2");
        (await app.ScalarAsync<string>("SELECT subject FROM referrals.prompt_templates WHERE kind = $1 AND version = 2", PromptKinds.Overdue))
            .ShouldBe("Frist vorbei: Verweisung {Referenz} an {Partner}");

        // A Fallmanager is turned away from the page, and its form post changes nothing.
        var fmPage = await app.Browser.NewPageAsync(new Uri(app.BaseUrl), demoUser: "fm.mueller");
        await fmPage.GotoAsync("/wege/e-mail-texte");
        new Uri(fmPage.Url).AbsolutePath.ShouldBe("/zugriff-verweigert");
        var fm = await SignedInAsync("fm.mueller");
        var post = await fm.PostAsync("/wege/e-mail-texte?handler=Save&art=prompt-overdue", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Subject"] = "x {Referenz}", ["Body"] = "{Link}",
            ["__RequestVerificationToken"] = NetzwerkApp.FormToken(await fm.GetStringAsync("/")),
        }));
        ((int)post.StatusCode).ShouldBeOneOf(302, 403);
        (await app.ScalarAsync<long>("SELECT count(*) FROM referrals.prompt_templates WHERE kind = $1", PromptKinds.Overdue)).ShouldBe(2);
    }

    [Fact]
    public async Task A_running_referral_is_asked_for_progress_every_n_weeks_and_the_prompt_link_only_reports_progress()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        await RouteAsync("full", new { kind = "partner-prompts", reminder = false, overdue = false, attendance = false, endNotice = false,
            progress = true, progressEveryWeeks = 2 });
        var referral = await SendAsync(fm, "full");
        var reference = await ReferenceAsync(referral);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{referral}/accept", new { })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var acceptedAt = app.Clock.GetUtcNow();

        // Two weeks after acceptance, not earlier.
        var firstAt = await DueAtAsync(referral, DeadlineKinds.ProgressPrompt);
        (firstAt - acceptedAt).TotalDays.ShouldBe(14, 0.01);
        MoveClockTo(firstAt.AddMinutes(-1));
        await Task.Delay(1500);
        MailsAbout(reference).ShouldNotContain(m => m.Subject.Contains("Zwischenstand"));
        MoveClockTo(firstAt.AddMinutes(1));
        var first = await MailAsync(reference, "Bitte kurzen Zwischenstand melden");
        var link = LinkIn(first);
        link.ShouldNotBeEmpty(first.Body);
        (await app.ScalarAsync<int>("SELECT template_version FROM referrals.partner_prompts WHERE referral_id = $1 AND kind = $2", referral, PromptKinds.Progress))
            .ShouldBe(1);

        // The link opens the referral with only the progress and outcome answers; anything else is a German 403.
        var (session, page, token) = await OpenLinkAsync(link, referral);
        page.ShouldContain("Verlauf melden");
        page.ShouldNotContain("Termin anbieten");
        page.ShouldNotContain("Teilnahme melden");
        var detail = await session.GetFromJsonAsync<JsonElement>($"/api/partner/referrals/{referral}");
        detail.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()).ShouldBe(["PartnerReportedProgress", "PartnerReportedOutcome"]);
        var refused = await PostWithTokenAsync(session, token, $"/api/partner/referrals/{referral}/attendance", new { attended = true });
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden, await refused.Content.ReadAsStringAsync());
        (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("nur für einen Zwischenstand");
        var waitlist = await PostWithTokenAsync(session, token, $"/api/partner/referrals/{referral}/waitlist", new { note = "voll" });
        waitlist.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ReferralTestApp.StatusOfAsync(fm, referral)).ShouldBe("accepted");
        var reported = await PostWithTokenAsync(session, token, $"/api/partner/referrals/{referral}/progress", new { note = "Erstgespräch geführt" });
        reported.StatusCode.ShouldBe(HttpStatusCode.OK, await reported.Content.ReadAsStringAsync());
        (await ReferralTestApp.StatusOfAsync(fm, referral)).ShouldBe("in-progress");

        // The report restarts the interval: the next request two weeks after it, each occurrence once.
        var reportedAt = app.Clock.GetUtcNow();
        var secondAt = await DueAtAsync(referral, DeadlineKinds.ProgressPrompt);
        (secondAt - reportedAt).TotalDays.ShouldBe(14, 0.01);
        MoveClockTo(secondAt.AddMinutes(1));
        await MailAsync(reference, "Bitte kurzen Zwischenstand melden", skip: 1);
        await Task.Delay(2000);
        var progressMails = MailsAbout(reference).Where(m => m.Subject.Contains("Zwischenstand")).ToList();
        progressMails.Count.ShouldBe(2);
        progressMails.Select(LinkIn).Distinct().Count().ShouldBe(2); // a fresh link per mail
        (await app.ScalarAsync<long>("SELECT count(*) FROM referrals.partner_prompts WHERE referral_id = $1 AND kind = $2", referral, PromptKinds.Progress))
            .ShouldBe(2);

        // The partner's own account is not narrowed.
        var accountView = await partner.GetFromJsonAsync<JsonElement>($"/api/partner/referrals/{referral}");
        accountView.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()).ShouldContain("PartnerReportedAttendance");
    }
}
