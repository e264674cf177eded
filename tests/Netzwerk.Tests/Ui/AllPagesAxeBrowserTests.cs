using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using Netzwerk.Directory.Demo;
using Netzwerk.Platform.Identity;
using Netzwerk.Tests.Identity;
using Netzwerk.Tests.Identity.PartnerLinks;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Ui;

/// <summary>The real directory and demo catalogue on Kestrel with the SMTP sink: access links and campaign links arrive by mail.</summary>
public sealed class AllPagesApp : PartnerLinkApp
{
    protected override bool StandInServiceLookup => false;
}

/// <summary>
/// axe-core (wcag2a, wcag2aa, wcag21a, wcag21aa) on every page each role reaches — Fallmanager, Teamleitung,
/// Netzwerkkoordination, Datenschutz, partner with an account, partner through an e-mailed access link, anonymous — with
/// detail pages of referrals, a campaign and its link created here, and the referral forms after a refused submit.
/// One failure lists every page and rule at once.
/// </summary>
public sealed class AllPagesAxeBrowserTests(AllPagesApp app) : IClassFixture<AllPagesApp>
{
    private static readonly Guid Debt = DemoCatalogue.Services.DebtCounsellingKamenz;
    private static readonly Guid DebtOrganization = DemoUsers.Organizations.DebtCounsellingKamenz;

    [Fact]
    public async Task No_axe_violation_on_any_page_for_any_role()
    {
        // what the detail pages need: a sent referral (its access link by mail), a draft, an accepted one, a campaign
        var sent = await ReferralAsync("BG-10101-01", send: true);
        var accessLink = await LinkFromMailAsync(DemoCatalogue.DebtCounsellingKamenzReferralEmail, "/zugang/");
        var draft = await ReferralAsync("BG-10101-02", send: false);
        var accepted = await ReferralAsync("BG-10101-03", send: true);
        var partnerApi = await app.ClientFor("partner.schuldner");
        (await partnerApi.PostAsJsonAsync($"/api/partner/referrals/{accepted}/accept",
            new { appointmentAt = DateTimeOffset.UtcNow.AddMinutes(-5) })).EnsureSuccessStatusCode();
        var coordinatorApi = await app.ClientFor("nk.hoffmann");
        var campaign = await coordinatorApi.PostAsJsonAsync("/api/directory/campaigns",
            new { selection = "traeger", value = DebtOrganization.ToString(), reminderWorkingDays = 5 });
        campaign.StatusCode.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
        var campaignId = (await campaign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        string contact;
        await using (var db = await app.OpenDatabaseAsync())
            contact = (await db.ExecuteScalarAsync<string>("SELECT coalesce(email, referral_email) FROM directory.organization WHERE id = @DebtOrganization",
                new { DebtOrganization }))!;
        var campaignLink = await LinkFromMailAsync(contact, "/pruefung/");

        var pages = new Dictionary<string, string[]>
        {
            ["anonym"] = ["/anmelden", "/zugang-ungueltig", "/zugriff-verweigert", campaignLink],
            ["fm.mueller"] =
            [
                "/", "/katalog", "/katalog?q=Schulden+Kamenz", $"/katalog/angebote/{Debt}", "/verweisungen/neu", $"/verweisungen/neu?serviceId={Debt}",
                "/verweisungen", "/verweisungen?status=alle", $"/verweisungen/{draft}", $"/verweisungen/{draft}/erklaerung",
                $"/verweisungen/{draft}/einwilligung-digital", $"/verweisungen/{sent}", $"/verweisungen/{sent}/einwilligungen",
                $"/verweisungen/{sent}/verweisungsschein", $"/verweisungen/{accepted}", "/rueckmeldungen", "/abwesenheiten", "/kennzahlen",
            ],
            ["tl.weber"] = ["/verweisungen", $"/verweisungen/{sent}", "/rueckmeldungen", "/abwesenheiten"],
            ["nk.hoffmann"] =
            [
                "/", "/katalog", "/pflege", $"/pflege/angebote/{Debt}", $"/pflege/traeger/{DebtOrganization}", "/pflege/vorschlaege",
                "/pflege/pruefaktionen", $"/pflege/pruefaktionen/{campaignId}", "/pflege/import", "/pflege/begriffe",
                "/wege", "/wege/weg?weg=schuldnerberatung", "/wege/bearbeiten?weg=schuldnerberatung", "/wege/umstellen?weg=schuldnerberatung",
                "/kennzahlen", "/einwilligungstexte",
            ],
            ["ds.becker"] = ["/", "/datenschutz/protokoll", "/einwilligungstexte", "/katalog"],
            ["partner.schuldner"] =
            [
                "/", "/partner/verweisungen", $"/partner/verweisungen/{sent}", $"/partner/verweisungen/{accepted}",
                $"/partner/verweisungen/{accepted}/teilnahme", "/partner/angebote",
            ],
            ["zugangslink"] = [accessLink, $"/partner/verweisungen/{sent}/teilnahme"],
        };

        var findings = new List<string>();
        var visited = 0;
        foreach (var (role, urls) in pages)
        {
            var page = role switch
            {
                "anonym" or "zugangslink" => await app.Browser.NewPageAsync(new Uri(app.BaseUrl)),
                _ => await app.Browser.NewPageAsync(new Uri(app.BaseUrl), demoUser: role),
            };
            foreach (var url in urls)
            {
                var response = await page.GotoAsync(url);
                var shown = new Uri(page.Url).PathAndQuery;
                if (response is { Status: >= 400 } && !ErrorPages.Contains(url)) findings.Add($"{role} {url}: HTTP {response.Status}");
                foreach (var v in await Axe.ViolationsAsync(page)) findings.Add($"{role} {url} ({shown}): {v}");
                visited++;
            }
            await page.Context.CloseAsync();
        }

        // the forms after a refused submit (messages, summary, invalid fields are part of the page too)
        var fm = await app.Browser.NewPageAsync(new Uri(app.BaseUrl), demoUser: "fm.mueller");
        await fm.GotoAsync($"/verweisungen/neu?serviceId={Debt}");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Entwurf anlegen und weiter zur Einwilligung" }).ClickAsync();
        await Refused(fm, "fm.mueller /verweisungen/neu (abgelehnt)");
        await fm.GetByRole(AriaRole.Button, new() { Name = "Partner wechseln", Exact = false }).First.ClickAsync();
        await fm.Locator("[data-switch-confirm]").WaitForAsync();
        await Check(fm, "fm.mueller /verweisungen/neu (Partner wechseln?)");
        await fm.GotoAsync($"/verweisungen/{draft}");
        await fm.GetByLabel("Datum der Einwilligung").FillAsync(DateTime.Today.AddDays(3).ToString("yyyy-MM-dd"));
        await fm.GetByRole(AriaRole.Button, new() { Name = "Einwilligung speichern" }).ClickAsync();
        await Refused(fm, "fm.mueller /verweisungen/{id} Einwilligung (abgelehnt)");
        var partner = await app.Browser.NewPageAsync(new Uri(app.BaseUrl), demoUser: "partner.schuldner");
        partner.Dialog += async (_, d) => await d.AcceptAsync();
        await partner.GotoAsync($"/partner/verweisungen/{sent}");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Ablehnen" }).ClickAsync();
        await Refused(partner, "partner.schuldner /partner/verweisungen/{id} Ablehnen (abgelehnt)");

        visited.ShouldBeGreaterThan(50);
        findings.ShouldBeEmpty($"{findings.Count} Befunde auf {visited} Seiten:\n" + string.Join("\n", findings));

        async Task Refused(IPage page, string name)
        {
            await page.Locator("[data-error-summary]").WaitForAsync();
            await Check(page, name);
        }

        async Task Check(IPage page, string name)
        {
            foreach (var v in await Axe.ViolationsAsync(page)) findings.Add($"{name}: {v}");
            visited++;
        }
    }

    /// <summary>Pages whose purpose is to say no (their status is 403/404 by design).</summary>
    private static readonly string[] ErrorPages = ["/zugang-ungueltig", "/zugriff-verweigert"];

    private async Task<Guid> ReferralAsync(string caseReference, bool send)
    {
        var fm = await app.ClientFor("fm.mueller");
        var created = await fm.PostAsJsonAsync("/api/referrals", new
        {
            caseReference, serviceId = Debt, reason = "Mietschulden", urgency = "soon",
            sharedCategories = new[] { "contact-data", "referral-reason" }, contactDetails = "Tel. 0151 000000",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        if (!send) return id;
        (await fm.PostAsJsonAsync($"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung in die Schuldnerberatung", dataCategories = new[] { "contact-data", "referral-reason" },
            feedbackLevel = "attendance", form = "signed-paper", givenOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)),
        })).EnsureSuccessStatusCode();
        (await fm.PostAsync($"/api/referrals/{id}/send", null)).EnsureSuccessStatusCode();
        return id;
    }

    private async Task<string> LinkFromMailAsync(string address, string path)
    {
        var mail = await TestProcesses.EventuallyAsync(
            () => Task.FromResult(app.MailsTo(address).FirstOrDefault(m => m.Body.Contains(app.BaseUrl + path))), $"mail with {path}");
        return Regex.Match(mail.Body, Regex.Escape(app.BaseUrl) + Regex.Escape(path) + "[A-Za-z0-9_-]{43}").Value;
    }
}
