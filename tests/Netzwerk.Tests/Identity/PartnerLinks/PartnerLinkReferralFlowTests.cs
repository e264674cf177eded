using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Netzwerk.Directory.Demo;
using Netzwerk.Platform.Time;

namespace Netzwerk.Tests.Identity.PartnerLinks;

/// <summary>The directory's real lookup and demo catalogue, the referral module's real API, pages and workflow.</summary>
public sealed class PartnerLinkReferralApp : PartnerLinkApp
{
    protected override bool StandInServiceLookup => false;
}

/// <summary>
/// The bar of issue 5: a partner opens the link e-mailed through a real SMTP server, accepts the referral in
/// Chromium, and after the client revokes consent the link no longer works.
/// </summary>
public sealed class PartnerLinkReferralFlowTests(PartnerLinkReferralApp app) : IClassFixture<PartnerLinkReferralApp>
{
    private const string CaseReference = "AZ-2026/4711";

    [Fact]
    public async Task Partner_accepts_through_the_mailed_link_and_the_link_dies_with_the_consent()
    {
        var fm = await app.ClientFor("fm.mueller");
        var created = await fm.PostAsJsonAsync("/api/referrals", new
        {
            caseReference = CaseReference,
            serviceId = DemoCatalogue.Services.DebtCounsellingKamenz,
            reason = "Mietschulden, Stromsperre droht",
            urgency = "soon",
            sharedCategories = new[] { "contact-data", "referral-reason" },
            contactDetails = "Tel. 0151 000000",
            cooperationPlanGoal = "Schuldenregulierung einleiten",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var referral = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var consent = await fm.PostAsJsonAsync($"/api/referrals/{referral}/consent", new
        {
            purpose = "Vermittlung in die Schuldnerberatung",
            dataCategories = new[] { "contact-data", "referral-reason" },
            feedbackLevel = "attendance",
            form = "signed-paper",
            givenOn = GermanTime.Today,
        });
        consent.StatusCode.ShouldBe(HttpStatusCode.OK, await consent.Content.ReadAsStringAsync());
        var consentId = (await consent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentId").GetGuid();
        (await fm.PostAsync($"/api/referrals/{referral}/send", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var mail = await TestProcesses.EventuallyAsync(
            () => Task.FromResult(app.MailsTo(DemoCatalogue.DebtCounsellingKamenzReferralEmail).FirstOrDefault()), "access link mail");
        mail.Raw.ShouldNotContain(CaseReference);
        mail.Raw.ShouldNotContain("Mietschulden");
        mail.Raw.ShouldNotContain(referral.ToString());
        var link = Regex.Match(mail.Body, Regex.Escape(app.BaseUrl) + "/zugang/[A-Za-z0-9_-]{43}").Value;
        link.ShouldNotBeEmpty(mail.Body);

        // The partner, without an account, opens the link and accepts.
        var context = await app.Browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, Locale = "de-DE" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);
        new Uri(page.Url).AbsolutePath.ShouldBe($"/partner/verweisungen/{referral}");
        (await page.TextContentAsync("main"))!.ShouldContain(CaseReference);
        await page.ClickAsync("button:has-text('Annehmen')");
        var status = await Eventually(async () => (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{referral}")).GetProperty("status").GetString(),
            s => s == "accepted");
        status.ShouldBe("accepted");

        // The client revokes consent: the workflow ends the partner's access, the link stops working.
        (await fm.PostAsync($"/api/consents/{consentId}/revoke", null)).IsSuccessStatusCode.ShouldBeTrue();
        await TestProcesses.EventuallyAsync(async () =>
        {
            var again = await context.NewPageAsync();
            await again.GotoAsync(link);
            return new Uri(again.Url).AbsolutePath == "/zugang-ungueltig" ? "ok" : null;
        }, "link refused after consent revocation");
        var response = await page.GotoAsync($"/partner/verweisungen/{referral}");
        new Uri(page.Url).AbsolutePath.ShouldNotBe($"/partner/verweisungen/{referral}");
        (await page.ContentAsync()).ShouldNotContain(CaseReference);
        response.ShouldNotBeNull();
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > until) return value;
            await Task.Delay(200);
        }
    }
}
