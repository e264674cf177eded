using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Netzwerk.Directory.Demo;
using Netzwerk.Directory.Verification;
using Netzwerk.Platform.Identity;
using Netzwerk.Tests.Identity;
using Netzwerk.Tests.Identity.PartnerLinks;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Directory.Verification;

/// <summary>The real directory and demo catalogue on Kestrel, the real SMTP sink, Chromium.</summary>
public sealed class CampaignApp : PartnerLinkApp
{
    protected override bool StandInServiceLookup => false;
}

/// <summary>
/// The bar of issue 17: a campaign → the mail in the real SMTP server → the partner follows the link, changes the
/// waiting time and confirms the rest → the coordinator accepts → the entry is verified with the partner as verifier.
/// </summary>
public sealed class CampaignTests(CampaignApp app) : IClassFixture<CampaignApp>
{
    private static readonly Guid Organization = DemoUsers.Organizations.DebtCounsellingKamenz;
    private static readonly Guid Service = DemoCatalogue.Services.DebtCounsellingKamenz;

    private async Task<string> ContactAsync(Guid organization)
    {
        await using var db = await app.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<string>(
            "SELECT coalesce(email, referral_email) FROM directory.organization WHERE id = @organization", new { organization }) ?? throw new InvalidOperationException("no address");
    }

    [Fact]
    public async Task Campaign_mail_link_partner_changes_waiting_time_confirms_the_rest_coordinator_accepts()
    {
        var contact = await ContactAsync(Organization);
        int oldWaiting;
        List<Guid> others;
        await using (var db = await app.OpenDatabaseAsync())
        {
            oldWaiting = await db.ExecuteScalarAsync<int?>("SELECT waiting_days FROM directory.service WHERE id = @Service", new { Service }) ?? 0;
            others = (await db.QueryAsync<Guid>("SELECT id FROM directory.service WHERE organization_id = @Organization AND status <> 'retired' AND id <> @Service",
                new { Organization, Service })).ToList();
        }

        // 1. The coordinator starts a campaign for one partner.
        var coordinator = await app.Browser.NewPageAsync(new Uri(app.BaseUrl), demoUser: "nk.hoffmann");
        await coordinator.GotoAsync("/pflege/pruefaktionen");
        (await Axe.ViolationsAsync(coordinator)).ShouldBeEmpty("/pflege/pruefaktionen");
        await coordinator.GetByLabel("ein Träger").CheckAsync();
        await coordinator.GetByLabel("Träger", new() { Exact = true }).SelectOptionAsync(Organization.ToString());
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Prüfaktion starten und E-Mails senden" }).ClickAsync();
        await coordinator.WaitForURLAsync(u => Regex.IsMatch(u, "/pflege/pruefaktionen/[0-9a-f-]{36}"), Browser.DomReady);
        var campaignId = Guid.Parse(Regex.Match(coordinator.Url, "[0-9a-f-]{36}").Value);
        (await coordinator.Locator("#count-partners").TextContentAsync()).ShouldBe("1");
        (await coordinator.Locator("#count-entries").TextContentAsync()).ShouldBe((others.Count + 1).ToString());

        // 2. Exactly one mail, through the outbox to the real SMTP server, with a link and no entry data.
        var mail = await TestProcesses.EventuallyAsync(() => Task.FromResult(app.MailsTo(contact).FirstOrDefault(m => m.Subject.Contains("prüfen"))), "campaign mail");
        var link = Regex.Match(mail.Body, Regex.Escape(app.BaseUrl) + "/pruefung/[A-Za-z0-9_-]{43}").Value;
        link.ShouldNotBeEmpty(mail.Body);
        await Task.Delay(1500);
        app.MailsTo(contact).Count(m => m.Subject.Contains("prüfen")).ShouldBe(1);

        // 3. The partner opens the link (no account), changes the waiting time of one entry, leaves the rest.
        var partner = await app.Browser.NewPageAsync(new Uri(app.BaseUrl));
        await partner.GotoAsync(link);
        (await partner.Locator("h1").TextContentAsync())!.ShouldContain("prüfen");
        (await Axe.ViolationsAsync(partner)).ShouldBeEmpty("/pruefung");
        (await partner.Locator("section.pruefung-entry").CountAsync()).ShouldBe(others.Count + 1);
        await partner.Locator($"#wartezeit-{Service:N}").FillAsync((oldWaiting + 7).ToString());
        await partner.GetByRole(AriaRole.Button, new() { Name = "Antwort senden" }).ClickAsync();
        await partner.WaitForURLAsync(u => u.Contains("gesendet=true"), Browser.DomReady);
        (await partner.Locator(".alert.ok").TextContentAsync())!.ShouldContain("Vielen Dank");

        await using (var db = await app.OpenDatabaseAsync())
        {
            // The unchanged entries are verified now, by the partner's address, through the link.
            foreach (var id in others)
            {
                var (by, via, at) = await db.QuerySingleAsync<(string By, string Via, DateTime At)>(
                    "SELECT verified_by, verified_via, verified_at FROM directory.service WHERE id = @id", new { id });
                by.ShouldBe(contact);
                via.ShouldBe("link");
                at.ShouldBeGreaterThan(DateTime.UtcNow.AddMinutes(-5));
            }
            // The changed one waits for the coordinator: the waiting time is not yet published.
            (await db.ExecuteScalarAsync<int?>("SELECT waiting_days FROM directory.service WHERE id = @Service", new { Service })).ShouldBe(oldWaiting);
        }

        // 4. The coordinator sees the change field by field and accepts it.
        await coordinator.GotoAsync($"/pflege/pruefaktionen/{campaignId}");
        (await coordinator.Locator("#count-opened").TextContentAsync()).ShouldBe("1");
        (await coordinator.Locator("#count-changed").TextContentAsync()).ShouldBe("1");
        var review = coordinator.Locator("section.proposal");
        (await review.Locator("input[name=fields]").CountAsync()).ShouldBe(1);
        (await review.Locator("input[name=fields]").GetAttributeAsync("value")).ShouldBe("waitingDays");
        (await Axe.ViolationsAsync(coordinator)).ShouldBeEmpty("/pflege/pruefaktionen/{id}");
        await review.GetByRole(AriaRole.Button, new() { Name = "Entscheidung speichern" }).ClickAsync();
        await coordinator.WaitForURLAsync(u => u.Contains("meldung=entschieden"), Browser.DomReady);

        await using (var db = await app.OpenDatabaseAsync())
        {
            var s = await db.QuerySingleAsync<(int Waiting, string By, string Via, DateTime At)>(
                "SELECT waiting_days, verified_by, verified_via, verified_at FROM directory.service WHERE id = @Service", new { Service });
            s.Waiting.ShouldBe(oldWaiting + 7);
            s.By.ShouldBe(contact);
            s.Via.ShouldBe("link");
            s.At.ShouldBeGreaterThan(DateTime.UtcNow.AddMinutes(-5));
        }
        // The catalogue shows the new waiting time.
        var fm = await app.ClientFor("fm.mueller");
        var hit = (await fm.GetFromJsonAsync<JsonElement>($"/api/directory/search?q=Schuldnerberatung&near=Kamenz&radiusKm=10&pageSize=100"))
            .GetProperty("items").EnumerateArray().First(i => i.GetProperty("serviceId").GetGuid() == Service);
        hit.GetProperty("waitingDays").GetInt32().ShouldBe(oldWaiting + 7);

        // The API tells the same story; a second decision is refused.
        var api = await app.ClientFor("nk.hoffmann");
        var view = await api.GetFromJsonAsync<JsonElement>($"/api/directory/campaigns/{campaignId}");
        view.GetProperty("counts").GetProperty("changed").GetInt32().ShouldBe(1);
        var again = await api.PostAsJsonAsync($"/api/directory/campaigns/{campaignId}/entries/{Service}/review", new { acceptedFields = new[] { "waitingDays" } });
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Reminders_go_out_once_after_the_working_days_and_bad_links_and_input_are_refused()
    {
        var organization = DemoUsers.Organizations.AddictionCounsellingBautzen;
        var contact = await ContactAsync(organization);
        var api = await app.ClientFor("nk.hoffmann");
        var bad = await api.PostAsJsonAsync("/api/directory/campaigns", new { selection = "traeger" });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("Bitte wählen Sie einen Träger.");
        (await (await app.ClientFor("fm.mueller")).PostAsJsonAsync("/api/directory/campaigns", new { selection = "alle" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var created = await api.PostAsJsonAsync("/api/directory/campaigns", new { selection = "traeger", value = organization.ToString(), reminderWorkingDays = 3 });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var campaignId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await TestProcesses.EventuallyAsync(() => Task.FromResult(app.MailsTo(contact).FirstOrDefault(m => m.Subject.StartsWith("Bitte prüfen"))), "first mail");

        // Not yet due: nothing. Four working days later: one reminder, however often the poller runs.
        async Task<int> RemindAsync()
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<Campaigns>().SendRemindersAsync(CancellationToken.None);
        }
        (await RemindAsync()).ShouldBe(0);
        await using (var db = await app.OpenDatabaseAsync())
            await db.ExecuteAsync("UPDATE directory.verification_request SET last_mail_at = now() - interval '8 days' WHERE campaign_id = @campaignId", new { campaignId });
        (await RemindAsync()).ShouldBe(1);
        (await RemindAsync()).ShouldBe(0);
        var reminder = await TestProcesses.EventuallyAsync(() => Task.FromResult(app.MailsTo(contact).FirstOrDefault(m => m.Subject.StartsWith("Erinnerung"))), "reminder");
        var link = Regex.Match(reminder.Body, Regex.Escape(app.BaseUrl) + "/pruefung/[A-Za-z0-9_-]{43}").Value;
        link.ShouldNotBeEmpty();
        var view = await api.GetFromJsonAsync<JsonElement>($"/api/directory/campaigns/{campaignId}");
        view.GetProperty("requests")[0].GetProperty("reminders").GetInt32().ShouldBe(1);
        view.GetProperty("counts").GetProperty("noAnswer").GetInt32().ShouldBe(1);

        // The reminder's link works through the API as well; a wrong token is a 404, bad numbers a German 400.
        var anonymous = app.Anonymous();
        var token = link[(link.LastIndexOf('/') + 1)..];
        var open = await anonymous.GetFromJsonAsync<JsonElement>($"/api/pruefung/{token}");
        var entries = open.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("serviceId").GetGuid()).ToList();
        entries.ShouldNotBeEmpty();
        (await anonymous.GetAsync("/api/pruefung/" + new string('A', 43))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var invalid = await anonymous.PostAsJsonAsync($"/api/pruefung/{token}", new[] { new { serviceId = entries[0], unchanged = false, changes = new { waitingDays = -4 } } });
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var answered = await anonymous.PostAsJsonAsync($"/api/pruefung/{token}", entries.Select(e => new { serviceId = e, unchanged = true }).ToArray());
        answered.StatusCode.ShouldBe(HttpStatusCode.OK, await answered.Content.ReadAsStringAsync());
        view = await api.GetFromJsonAsync<JsonElement>($"/api/directory/campaigns/{campaignId}");
        view.GetProperty("counts").GetProperty("confirmed").GetInt32().ShouldBe(1);
        (await RemindAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_phone_call_or_the_partner_portal_verify_too_and_say_how()
    {
        var api = await app.ClientFor("nk.hoffmann");
        var created = await api.PostAsJsonAsync("/api/directory/campaigns", new { selection = "traeger", value = DemoCatalogue.PsychotherapyMuellerPulsnitz.ToString() });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var campaignId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var request = (await api.GetFromJsonAsync<JsonElement>($"/api/directory/campaigns/{campaignId}")).GetProperty("requests")[0];
        var requestId = request.GetProperty("id").GetGuid();
        var services = request.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("serviceId").GetGuid()).ToList();

        (await api.PostAsync($"/api/directory/campaigns/{campaignId}/requests/{requestId}/phone", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await api.PostAsync($"/api/directory/campaigns/{campaignId}/requests/{requestId}/phone", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await api.PostAsync($"/api/directory/campaigns/{campaignId}/requests/{Guid.NewGuid()}/phone", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var view = await api.GetFromJsonAsync<JsonElement>($"/api/directory/campaigns/{campaignId}");
        view.GetProperty("counts").GetProperty("confirmed").GetInt32().ShouldBe(1);
        await using (var db = await app.OpenDatabaseAsync())
            foreach (var id in services)
                (await db.QuerySingleAsync<(string Via, string By)>("SELECT verified_via, verified_by FROM directory.service WHERE id = @id", new { id }))
                    .ShouldSatisfyAllConditions(v => v.Via.ShouldBe("telefon"), v => v.By.ShouldEndWith("(telefonisch)"));

        // A partner with an account confirms its own entry in the portal; another organisation's entry does not exist for it.
        var partner = await app.ClientFor("partner.sucht");
        (await partner.PostAsync($"/api/directory/services/{DemoCatalogue.Services.DrugCounsellingBautzen}/confirm", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await partner.PostAsync($"/api/directory/services/{DemoCatalogue.Services.DebtCounsellingKamenz}/confirm", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await using (var db = await app.OpenDatabaseAsync())
        {
            var v = await db.QuerySingleAsync<(string Via, DateTime At)>("SELECT verified_via, verified_at FROM directory.service WHERE id = @id",
                new { id = DemoCatalogue.Services.DrugCounsellingBautzen });
            v.Via.ShouldBe("portal");
            v.At.ShouldBeGreaterThan(DateTime.UtcNow.AddMinutes(-5));
        }
    }

    [Fact]
    public async Task Freshness_figures_count_a_new_verification()
    {
        var api = await app.ClientFor("nk.hoffmann");
        async Task<JsonElement> OverallAsync() => (await api.GetFromJsonAsync<JsonElement>("/api/directory/freshness"))
            .EnumerateArray().Single(r => r.GetProperty("category").ValueKind == JsonValueKind.Null && r.GetProperty("district").ValueKind == JsonValueKind.Null);
        var before = await OverallAsync();
        before.GetProperty("entries").GetInt32().ShouldBeGreaterThan(100);
        before.GetProperty("share").GetDouble().ShouldBeInRange(0, 1);
        before.GetProperty("medianCapacityAgeDays").GetDouble().ShouldBeGreaterThan(0);
        Guid due;
        await using (var db = await app.OpenDatabaseAsync())
            due = await db.ExecuteScalarAsync<Guid>("SELECT id FROM directory.service WHERE status = 'active' AND (verified_at IS NULL OR verified_at < now() - interval '13 months') ORDER BY id LIMIT 1");
        (await api.PostAsync($"/api/directory/services/{due}/verify", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = await OverallAsync();
        after.GetProperty("verifiedWithin12Months").GetInt32().ShouldBe(before.GetProperty("verifiedWithin12Months").GetInt32() + 1);
        var all = await api.GetFromJsonAsync<JsonElement>("/api/directory/freshness");
        all.EnumerateArray().Count(r => r.GetProperty("category").ValueKind == JsonValueKind.String).ShouldBeGreaterThan(3);
        all.EnumerateArray().Count(r => r.GetProperty("district").ValueKind == JsonValueKind.String).ShouldBeGreaterThan(1);
        (await (await app.ClientFor("fm.mueller")).GetAsync("/api/directory/freshness")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
