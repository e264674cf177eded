using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Netzwerk.Platform.Time;
using Netzwerk.Tests.Infrastructure;
using Netzwerk.Tests.Referrals.Ui;
using Npgsql;

namespace Netzwerk.Tests.Referrals.Inbox;

/// <summary>Issue 19: inbox items name the case reference and the partner — only for someone who may open the referral.</summary>
public sealed class InboxItemTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    internal static async Task<string> PartnerNameAsync(NetzwerkApp app, Guid serviceId)
    {
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT o.name FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id WHERE s.id = $1", db);
        cmd.Parameters.AddWithValue(serviceId);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task AcceptAsync(HttpClient partner, Guid id)
        => (await partner.PostAsJsonAsync($"/api/partner/referrals/{id}/accept", new { appointmentAt = (DateTimeOffset?)null })).EnsureSuccessStatusCode();

    [Fact]
    public async Task The_responsible_fallmanager_sees_case_reference_and_partner_a_team_colleague_does_not()
    {
        var mueller = await app.ClientFor("fm.mueller");
        var schmidt = await app.ClientFor("fm.schmidt");
        var partner = await app.ClientFor("partner.schuldner");
        var partnerName = await PartnerNameAsync(app, ReferralTestApp.DebtService);

        var present = await app.DraftAsync(mueller, caseRef: "AZ-INBOX-0001");
        await app.ConsentAsync(mueller, present);
        await app.SendAsync(mueller, present);
        await AcceptAsync(partner, present);
        var mine = (await ReferralTestApp.InboxAsync(mueller, present)).Single(i => i.GetProperty("kind").GetString() == "accepted");
        mine.GetProperty("caseReference").GetString().ShouldBe("AZ-INBOX-0001");
        mine.GetProperty("partnerName").GetString().ShouldBe(partnerName);
        (await ReferralTestApp.InboxAsync(schmidt, present, timeout: TimeSpan.FromSeconds(1))).ShouldBeEmpty();

        // Absent without a deputy: the team inbox gets the feedback; a colleague sees that something came, not about whom.
        var absence = await mueller.PostAsJsonAsync("/api/absences", new { startsOn = app.Clock.Today().ToString("yyyy-MM-dd"), endsOn = app.Clock.Today().AddDays(1).ToString("yyyy-MM-dd") });
        absence.StatusCode.ShouldBe(HttpStatusCode.Created, await absence.Content.ReadAsStringAsync());
        var absenceId = (await absence.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var teamCase = await app.DraftAsync(mueller, caseRef: "AZ-INBOX-0002");
        await app.ConsentAsync(mueller, teamCase);
        await app.SendAsync(mueller, teamCase);
        await AcceptAsync(partner, teamCase);
        var colleague = (await ReferralTestApp.InboxAsync(schmidt, teamCase)).Single();
        colleague.GetProperty("title").GetString()!.ShouldContain("angenommen");
        colleague.GetProperty("caseReference").ValueKind.ShouldBe(JsonValueKind.Null);
        colleague.GetProperty("partnerName").ValueKind.ShouldBe(JsonValueKind.Null);
        (await schmidt.GetAsync($"/api/referrals/{teamCase}")).StatusCode.ShouldBe(HttpStatusCode.NotFound); // same rule as opening it
        (await mueller.DeleteAsync($"/api/absences/{absenceId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        // Showing case references is audited (a count, never the references themselves).
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand("SELECT string_agg(coalesce(detail, ''), '|') FROM platform.audit_entries WHERE action = 'inbox.list' AND user_id = 'fm.mueller'", db);
        var details = (string?)(await cmd.ExecuteScalarAsync() as string);
        details.ShouldNotBeNull();
        details.ShouldNotContain("AZ-INBOX");
    }
}

/// <summary>The inbox page with case reference and partner, and an item marked read by opening its referral, in Chromium.</summary>
public sealed class InboxItemBrowserTests(ReferralUiApp app, Browser browser) : IClassFixture<ReferralUiApp>, IClassFixture<Browser>
{
    [Fact]
    public async Task Opening_the_referral_from_the_inbox_marks_its_items_read_and_is_audited()
    {
        var id = await app.SentReferralAsync("fm.schmidt", "BG-INBOX-77");
        var other = await app.SentReferralAsync("fm.schmidt", "BG-INBOX-78");
        var partnerApi = await app.ClientFor("partner.schuldner");
        foreach (var r in new[] { id, other })
            (await partnerApi.PostAsJsonAsync($"/api/partner/referrals/{r}/accept", new { appointmentAt = (DateTimeOffset?)null })).EnsureSuccessStatusCode();
        var partnerName = await InboxItemTests.PartnerNameAsync(app, ReferralUiApp.DebtService);

        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.schmidt");
        await page.GotoAsync("/rueckmeldungen");
        var item = page.Locator($"[data-inbox-list] li:has(a[href='/verweisungen/{id}'])");
        var otherItem = page.Locator($"[data-inbox-list] li:has(a[href='/verweisungen/{other}'])");
        await item.WaitForAsync(new() { Timeout = 30_000 });
        await otherItem.WaitForAsync(new() { Timeout = 30_000 });
        (await item.Locator("[data-about]").TextContentAsync())!.ShouldBe($"Aktenzeichen BG-INBOX-77 · {partnerName}");
        (await item.Locator("[data-read-state]").TextContentAsync()).ShouldBe("neu");
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty("/rueckmeldungen");

        // Keyboard: focus the item's link and open it.
        await item.Locator("a[data-title]").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(u => u.EndsWith($"/verweisungen/{id}"), Browser.DomReady);

        await page.GotoAsync("/rueckmeldungen");
        (await item.Locator("[data-read-state]").TextContentAsync()).ShouldBe("gelesen");
        (await otherItem.Locator("[data-read-state]").TextContentAsync()).ShouldBe("neu"); // only the opened referral's items

        var fmApi = await app.ClientFor("fm.schmidt");
        var items = (await fmApi.GetFromJsonAsync<JsonElement>($"/api/inbox?referralId={id}")).GetProperty("items").EnumerateArray().ToList();
        items.ShouldNotBeEmpty();
        items.ShouldAllBe(i => i.GetProperty("read").GetBoolean());

        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM platform.audit_entries WHERE action = 'inbox.read' AND object_id = $1 AND user_id = 'fm.schmidt'", db);
        cmd.Parameters.AddWithValue(id.ToString());
        ((long)(await cmd.ExecuteScalarAsync())!).ShouldBe(1);
    }
}
