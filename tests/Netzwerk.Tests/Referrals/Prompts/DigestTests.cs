using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Netzwerk.Directory.Demo;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Tests.Identity;
using Netzwerk.Tests.Infrastructure;
using Npgsql;

namespace Netzwerk.Tests.Referrals.Prompts;

/// <summary>Digest delivery (issue 16): a partner who chose a daily digest gets its prompts collected, in one mail, once.</summary>
public sealed class DigestTests(PromptApp app) : IClassFixture<PromptApp>
{
    private static readonly string Partner = DemoCatalogue.DebtCounsellingKamenzReferralEmail;

    private void MoveClockTo(DateTimeOffset at)
    {
        if (at > app.Clock.GetUtcNow()) app.Clock.Advance(at - app.Clock.GetUtcNow());
    }

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));

    [Fact]
    public async Task Prompts_for_a_daily_digest_partner_arrive_together_in_one_mail_with_a_link_each()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var coordinator = await app.ClientFor("nk.hoffmann");

        var bad = await partner.PutAsJsonAsync("/api/partner/mail-delivery", new { delivery = "monthly" });
        ((int)bad.StatusCode).ShouldBeInRange(400, 422);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await bad.Content.ReadAsStringAsync()).ShouldContain("täglich");
        (await fm.PutAsJsonAsync("/api/partner/mail-delivery", new { delivery = "daily" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await partner.PutAsJsonAsync("/api/partner/mail-delivery", new { delivery = "daily" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", new
        {
            name = "Schuldnerberatung mit Erinnerungen",
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data", "referral-reason" }, defaultFeedbackLevel = "attendance" },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 3 }, escalationWorkingDays = 10, escalationTarget = "Teamleitung" },
                new { kind = "partner-prompts", reminder = true, overdue = false, attendance = false, endNotice = false },
            },
        })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (first, _) = await PartnerPromptTests.SendAsync(app, fm);
        var (second, _) = await PartnerPromptTests.SendAsync(app, fm);
        var references = new List<string>();
        foreach (var referral in new[] { first, second })
            references.Add(await TestProcesses.EventuallyAsync(async () => await app.ScalarAsync<string>(
                "SELECT reference FROM referrals.partner_access_links WHERE referral_id = $1 AND purpose = 'referral'", referral), "reference"));

        // Both reminders fall due: nothing goes out yet, both wait for the 7:00 digest.
        var reminderAt = Utc((DateTime)await TestProcesses.EventuallyAsync(async () => await app.ScalarAsync<DateTime?>(
            "SELECT max(due_at) FROM workflows.deadlines WHERE subject_id = ANY($1) AND kind = 'reminder'", new[] { first, second }) is { } d ? (object)d : null,
            "reminders"));
        MoveClockTo(reminderAt.AddMinutes(1));
        await TestProcesses.EventuallyAsync(async () => await app.ScalarAsync<long>(
            "SELECT count(*) FROM referrals.partner_prompts WHERE referral_id = ANY($1) AND outcome = 'digest'", new[] { first, second }) == 2 ? "" : null,
            "prompts collected");
        await Task.Delay(1000);
        app.MailsTo(Partner).ShouldNotContain(m => m.Subject.Contains("Erinnerung") || m.Subject.Contains("Bitten"));

        var dueAt = Utc((await app.ScalarAsync<DateTime?>("SELECT max(due_at) FROM referrals.partner_digest_items WHERE referral_id = ANY($1)", new[] { first, second }))!.Value);
        TimeZoneInfo.ConvertTime(dueAt, Netzwerk.Platform.Time.GermanTime.Berlin).TimeOfDay.ShouldBe(TimeSpan.FromHours(7));
        MoveClockTo(dueAt.AddMinutes(1));
        var digest = await TestProcesses.EventuallyAsync(() => Task.FromResult(app.MailsTo(Partner).FirstOrDefault(m => m.Subject.Contains("2 Bitten um Rückmeldung"))),
            "digest mail");
        foreach (var reference in references) digest.Body.ShouldContain(reference);
        var links = Regex.Matches(digest.Body, Regex.Escape(app.BaseUrl) + "/zugang/[A-Za-z0-9_-]{43}").Select(m => m.Value).ToList();
        links.Distinct().Count().ShouldBe(2, digest.Body);
        foreach (var secret in new[] { "BG-PROMPT-4711", "Mietschulden", "0151", first.ToString(), second.ToString() }) digest.Raw.ShouldNotContain(secret);

        // Once: no second digest, no single reminders.
        await Task.Delay(2000);
        app.MailsTo(Partner).Count(m => m.Subject.Contains("Bitte")).ShouldBe(1);
        app.MailsTo(Partner).ShouldNotContain(m => m.Subject.Contains("Erinnerung"));
        (await app.ScalarAsync<long>("SELECT count(DISTINCT mail_id) FROM referrals.partner_prompts WHERE referral_id = ANY($1)", new[] { first, second })).ShouldBe(1);

        // A digest link is the reminder's: it opens its one referral for accepting or declining.
        var session = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(app.BaseUrl) };
        var opened = await session.GetAsync(links[0]);
        opened.StatusCode.ShouldBe(HttpStatusCode.OK);
        var id = Guid.Parse(opened.RequestMessage!.RequestUri!.AbsolutePath.Split('/').Last());
        new[] { first, second }.ShouldContain(id);
        var view = await session.GetFromJsonAsync<JsonElement>($"/api/partner/referrals/{id}");
        view.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()).ShouldBe(["PartnerAccepted", "PartnerDeclined"]);

        // The partner changes the choice on its page.
        var page = await app.Browser.NewPageAsync(new Uri(app.BaseUrl), demoUser: "partner.schuldner");
        await page.GotoAsync("/partner/verweisungen");
        await page.GetByRole(AriaRole.Link, new() { Name = "E-Mail-Zustellung: sofort oder gesammelt" }).ClickAsync();
        await page.WaitForURLAsync(u => u.EndsWith("/partner/e-mail-zustellung"), Browser.DomReady);
        (await page.GetByLabel("Täglich gesammelt", new() { Exact = false }).IsCheckedAsync()).ShouldBeTrue();
        await page.GetByLabel("Wöchentlich gesammelt", new() { Exact = false }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Speichern" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-message]");
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty("/partner/e-mail-zustellung");
        (await partner.GetFromJsonAsync<JsonElement>("/api/partner/mail-delivery")).GetProperty("delivery").GetString().ShouldBe("weekly");
    }
}
