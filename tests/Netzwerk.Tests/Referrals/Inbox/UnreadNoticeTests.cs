using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Playwright;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Inbox;
using Netzwerk.Tests.Identity;
using Netzwerk.Tests.Identity.PartnerLinks;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Referrals.Inbox;

/// <summary>The real SMTP server and a clock the test moves; the notice sender looks often.</summary>
public sealed class NoticeApp : PartnerLinkApp
{
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["UnreadNotice:PollInterval"] = "00:00:00.200",
    };

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        base.ConfigureTestServices(services);
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(Clock);
    }
}

/// <summary>
/// Issue 16, the Fallmanager: "N neue Rückmeldungen" once feedback has been unread for the chosen hours — once per batch,
/// never again for the same items, to the deputy during an absence, and without client data.
/// </summary>
public sealed class UnreadNoticeTests(NoticeApp app) : IClassFixture<NoticeApp>
{
    // Each test starts at the real time again: the demo tokens are issued with the app's clock but checked against the real one.
    private void ClockToNow() => app.Clock.Advance(DateTimeOffset.UtcNow - app.Clock.GetUtcNow());

    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2); // several sender runs (every 200 ms) and mail polls

    private async Task<(Guid Id, string CaseReference)> AcceptedAsync(HttpClient fm, HttpClient partner, string caseReference)
    {
        var created = await fm.PostAsJsonAsync("/api/referrals", new
        {
            caseReference, serviceId = ReferralTestApp.DebtService, reason = "Mietschulden, Stromsperre droht", urgency = "soon",
            sharedCategories = new[] { "contact-data", "referral-reason" }, contactDetails = "Tel. 0151 000000",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await fm.PostAsJsonAsync($"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung in die Schuldnerberatung", dataCategories = new[] { "contact-data", "referral-reason" },
            feedbackLevel = "attendance", form = "signed-paper", givenOn = app.Clock.Today(),
        })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await fm.PostAsync($"/api/referrals/{id}/send", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await partner.PostAsJsonAsync($"/api/partner/referrals/{id}/accept", new { appointmentAt = (DateTimeOffset?)null })).EnsureSuccessStatusCode();
        return (id, caseReference);
    }

    private static async Task<int> UnreadItemsAsync(HttpClient user, Guid referral)
        => (await ReferralTestApp.InboxAsync(user, referral)).Count(i => !i.GetProperty("read").GetBoolean());

    private Task<ReceivedMail> MailAsync(string to, int number) => TestProcesses.EventuallyAsync(
        () => Task.FromResult(app.MailsTo(to).Count >= number ? app.MailsTo(to).OrderBy(m => m.Subject).Last() : null), $"notice {number} to {to}");

    private static async Task TurnOnAsync(HttpClient user, string email, int hours)
    {
        var put = await user.PutAsJsonAsync("/api/inbox/notice", new { enabled = true, email, afterHours = hours });
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    private static void NoClientData(ReceivedMail mail, params string[] secrets)
    {
        var all = mail.Subject + "\n" + mail.Body;
        all.ShouldContain("/rueckmeldungen");
        foreach (var secret in secrets.Append("Mietschulden").Append("0151").Append("Schuldner"))
            all.ShouldNotContain(secret, Case.Insensitive);
    }

    [Fact]
    public async Task Unread_feedback_is_announced_once_per_batch_after_the_chosen_hours()
    {
        ClockToNow();
        var fm = await app.ClientFor("fm.yilmaz");
        var partner = await app.ClientFor("partner.schuldner");
        const string address = "derya.yilmaz@jobcenter-test.example";

        // Off by default; bad input gets a German problem and changes nothing.
        (await fm.GetFromJsonAsync<JsonElement>("/api/inbox/notice")).GetProperty("enabled").GetBoolean().ShouldBeFalse();
        var bad = await fm.PutAsJsonAsync("/api/inbox/notice", new { enabled = true, email = "kein-postfach", afterHours = 0 });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").GetProperty("email")[0].GetString()!.ShouldContain("E-Mail-Adresse");
        problem.GetProperty("errors").GetProperty("afterHours")[0].GetString()!.ShouldContain("Stunden");
        (await fm.GetFromJsonAsync<JsonElement>("/api/inbox/notice")).GetProperty("enabled").GetBoolean().ShouldBeFalse();
        (await (await app.ClientFor("partner.schuldner")).GetAsync("/api/inbox/notice")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        await TurnOnAsync(fm, address, 2);
        var first = await AcceptedAsync(fm, partner, "BG-NOTICE-1");
        var firstBatch = await UnreadItemsAsync(fm, first.Id);
        firstBatch.ShouldBeGreaterThan(0);

        // Not before the hours have passed. Feedback that comes meanwhile is not due with the first batch.
        app.Clock.Advance(TimeSpan.FromHours(1));
        await Task.Delay(Quiet);
        app.MailsTo(address).ShouldBeEmpty();
        var meanwhile = await AcceptedAsync(fm, partner, "BG-NOTICE-1B");
        var meanwhileBatch = await UnreadItemsAsync(fm, meanwhile.Id);

        // The hours pass: the background sender and four more senders (as other app instances would) at the same moment.
        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var sender = app.Services.GetRequiredService<UnreadNoticeSender>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => sender.SendDueAsync(CancellationToken.None))));
        var notice = await MailAsync(address, 1);
        notice.Subject.ShouldBe(Subject(firstBatch));
        NoClientData(notice, first.CaseReference, first.Id.ToString());

        // The per-recipient limit: what became due since waits until the chosen hours have passed since the last notice.
        app.Clock.Advance(TimeSpan.FromMinutes(89)); // the second item is due, the last notice is 1.5 h old
        await Task.Delay(Quiet);
        app.MailsTo(address).Count.ShouldBe(1);
        app.Clock.Advance(TimeSpan.FromMinutes(32));
        await MailAsync(address, 2);
        app.MailsTo(address).ShouldContain(m => m.Subject == Subject(meanwhileBatch));

        // The same unread items are never announced again.
        app.Clock.Advance(TimeSpan.FromHours(5));
        await Task.Delay(Quiet);
        app.MailsTo(address).Count.ShouldBe(2);

        // New feedback is the next batch: counted on its own, announced once.
        var second = await AcceptedAsync(fm, partner, "BG-NOTICE-2");
        var third = await AcceptedAsync(fm, partner, "BG-NOTICE-3");
        var secondBatch = await UnreadItemsAsync(fm, second.Id) + await UnreadItemsAsync(fm, third.Id);
        app.Clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        await MailAsync(address, 3);
        await Task.Delay(Quiet);
        var mails = app.MailsTo(address);
        mails.Count.ShouldBe(3, string.Join(" | ", mails.Select(m => m.Subject)));
        mails.ShouldContain(m => m.Subject == Subject(secondBatch));
        foreach (var m in mails) NoClientData(m, meanwhile.CaseReference, second.CaseReference, third.CaseReference);

        // Read items are not announced: once opened, nothing more comes even after the hours.
        var fourth = await AcceptedAsync(fm, partner, "BG-NOTICE-4");
        await UnreadItemsAsync(fm, fourth.Id);
        foreach (var item in await ReferralTestApp.InboxAsync(fm, fourth.Id))
            (await fm.PostAsync($"/api/inbox/{item.GetProperty("id").GetGuid()}/read", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        app.Clock.Advance(TimeSpan.FromHours(3));
        await Task.Delay(Quiet);
        app.MailsTo(address).Count.ShouldBe(3);
    }

    private static string Subject(int count) => count == 1 ? "Netzwerk: 1 neue Rückmeldung" : $"Netzwerk: {count} neue Rückmeldungen";

    [Fact]
    public async Task During_an_absence_the_deputy_is_told_not_the_absent_fallmanager()
    {
        ClockToNow();
        var mueller = await app.ClientFor("fm.mueller");
        var schmidt = await app.ClientFor("fm.schmidt");
        var partner = await app.ClientFor("partner.schuldner");
        const string muellerAddress = "anna.mueller@jobcenter-test.example", schmidtAddress = "jonas.schmidt@jobcenter-test.example";
        await TurnOnAsync(mueller, muellerAddress, 1);
        await TurnOnAsync(schmidt, schmidtAddress, 1);

        // Feedback reaches Frau Müller while she is in; then she is away and Herr Schmidt stands in.
        var before = await AcceptedAsync(mueller, partner, "BG-DEPUTY-1");
        var count = await UnreadItemsAsync(mueller, before.Id);
        var absence = await mueller.PostAsJsonAsync("/api/absences", new
        {
            deputyId = "fm.schmidt", startsOn = app.Clock.Today().ToString("yyyy-MM-dd"), endsOn = app.Clock.Today().AddDays(2).ToString("yyyy-MM-dd"),
        });
        absence.StatusCode.ShouldBe(HttpStatusCode.Created, await absence.Content.ReadAsStringAsync());

        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var notice = await MailAsync(schmidtAddress, 1);
        notice.Subject.ShouldBe(Subject(count));
        notice.Body.ShouldContain("Vertretung");
        NoClientData(notice, before.CaseReference, before.Id.ToString(), "Müller");
        await Task.Delay(Quiet);
        app.MailsTo(muellerAddress).ShouldBeEmpty();
        app.MailsTo(schmidtAddress).Count.ShouldBe(1);
    }

    [Fact]
    public async Task The_fallmanager_turns_the_notice_on_in_the_inbox_page()
    {
        ClockToNow();
        await app.ClientFor("tl.weber");
        var context = await app.Browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, Locale = "de-DE" });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/anmelden");
        await page.ClickAsync("button[value='tl.weber']");
        await page.WaitForURLAsync(u => !u.Contains("/anmelden"), Browser.DomReady);
        await page.GotoAsync("/rueckmeldungen");
        (await page.GetByLabel("E-Mail-Hinweis bei ungelesenen Rückmeldungen").IsCheckedAsync()).ShouldBeFalse();

        await page.GetByLabel("E-Mail-Hinweis bei ungelesenen Rückmeldungen").CheckAsync();
        await page.GetByLabel("Dienstliche E-Mail-Adresse").FillAsync("petra.weber@@jobcenter");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hinweis speichern" }).ClickAsync();
        (await page.Locator("#NoticeEmail-error").TextContentAsync())!.ShouldContain("gültige");
        (await page.GetByLabel("Dienstliche E-Mail-Adresse").GetAttributeAsync("aria-describedby")).ShouldBe("NoticeEmail-error");
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty("/rueckmeldungen with an error");

        await page.GetByLabel("Dienstliche E-Mail-Adresse").FillAsync("petra.weber@jobcenter-test.example");
        await page.GetByLabel("Nach wie vielen Stunden", new() { Exact = false }).FillAsync("6");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hinweis speichern" }).ClickAsync();
        (await page.Locator("[role=status]").First.TextContentAsync())!.ShouldContain("länger als 6 Stunden");
        (await page.GetByLabel("E-Mail-Hinweis bei ungelesenen Rückmeldungen").IsCheckedAsync()).ShouldBeTrue();
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty("/rueckmeldungen");
        var saved = await (await app.ClientFor("tl.weber")).GetFromJsonAsync<JsonElement>("/api/inbox/notice");
        saved.GetProperty("afterHours").GetInt32().ShouldBe(6);
        saved.GetProperty("email").GetString().ShouldBe("petra.weber@jobcenter-test.example");
        await context.CloseAsync();
    }
}
