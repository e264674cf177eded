using System.Net;
using System.Net.Http.Json;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Tests.Referrals;

/// <summary>
/// A route with Teamleitung approval, through the API against the real servers: sending puts the referral before the
/// Teamleitung (the partner sees nothing, no deadline runs), only the Teamleitung decides, a refusal returns it to the
/// Fallmanager with the reason, an approval sends it exactly once.
/// </summary>
public sealed class ApprovalTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    [Fact]
    public async Task Only_the_Teamleitung_approves_and_only_then_the_partner_gets_the_referral()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        (await coordinator.PutAsJsonAsync($"/api/routes/schuldnerberatung", new
        {
            name = "Insolvenzberatung nur mit Freigabe", scope = new { serviceId = ReferralTestApp.InsolvencyService },
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data" }, defaultFeedbackLevel = "attendance" },
                new { kind = "approval" },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 3 }, escalationWorkingDays = 10, escalationTarget = Roles.TeamLead },
            },
        })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var fm = await app.ClientFor("fm.mueller");
        var lead = await app.ClientFor("tl.weber");
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.DraftAsync(fm, ReferralTestApp.InsolvencyService);
        await app.ConsentAsync(fm, id);

        var submitted = await ReferralTestApp.ReadAsync(await ReferralTestApp.PostAsync(fm, $"/api/referrals/{id}/send"));
        submitted.GetProperty("status").GetString().ShouldBe("awaiting-approval");
        submitted.GetProperty("responseDueAt").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        (await app.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{id}'")).ShouldBe(0);
        (await partner.GetAsync($"/api/partner/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await partner.GetStringAsync("/api/partner/referrals")).ShouldNotContain(id.ToString());
        // the Teamleitung is asked, in its inbox
        (await ReferralTestApp.InboxAsync(lead, id)).ShouldContain(i => i.GetProperty("kind").GetString() == "approval-requested");
        (await ReferralTestApp.ReadAsync(await lead.GetAsync($"/api/referrals/{id}"))).GetProperty("allowedActions").EnumerateArray()
            .Select(a => a.GetString()).ShouldBe(["Approved", "ApprovalRefused"], ignoreOrder: true);

        // the Fallmanager cannot approve the own referral; a refusal needs a reason
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{id}/approve")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ReferralTestApp.PostAsync(lead, $"/api/referrals/{id}/refuse-approval", new { reason = " " })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var refused = await ReferralTestApp.PostAsync(lead, $"/api/referrals/{id}/refuse-approval", new { reason = "Bitte zuerst die Budgetfrage klären" });
        refused.StatusCode.ShouldBe(HttpStatusCode.OK, await refused.Content.ReadAsStringAsync());
        var back = await ReferralTestApp.ReadAsync(await fm.GetAsync($"/api/referrals/{id}"));
        back.GetProperty("status").GetString().ShouldBe("draft");
        back.GetProperty("history").EnumerateArray().Last().GetProperty("detail").GetString().ShouldBe("Bitte zuerst die Budgetfrage klären");
        (await ReferralTestApp.InboxAsync(fm, id)).ShouldContain(i => i.GetProperty("kind").GetString() == "approval-refused");

        // submitted again, approved: now it is sent, with its deadlines, exactly once
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{id}/send")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var approved = await ReferralTestApp.ReadAsync(await ReferralTestApp.PostAsync(lead, $"/api/referrals/{id}/approve"));
        approved.GetProperty("status").GetString().ShouldBe("requested");
        approved.GetProperty("responseDueAt").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.String);
        (await ReferralTestApp.PostAsync(lead, $"/api/referrals/{id}/approve")).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await app.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{id}' AND kind = 'partner-response'")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE message_type LIKE '%.ReferralSentToPartner' AND body->>'referralId' = '{id}'")).ShouldBe(1);
        (await partner.GetAsync($"/api/partner/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Approval_checks_the_consent_again()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        (await coordinator.PutAsJsonAsync($"/api/routes/suchtberatung", new
        {
            name = "Sucht mit Freigabe",
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data" }, defaultFeedbackLevel = "attendance" },
                new { kind = "approval" },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = Array.Empty<int>(), escalationWorkingDays = 10, escalationTarget = Roles.NetworkCoordinator },
            },
        })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var fm = await app.ClientFor("fm.mueller");
        var lead = await app.ClientFor("tl.weber");
        var id = await app.DraftAsync(fm, ReferralTestApp.AddictionService, caseRef: "AZ-2026/0099");
        var consent = await app.ConsentAsync(fm, id);
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{id}/send")).StatusCode.ShouldBe(HttpStatusCode.OK);
        // revoked while waiting: the referral is cancelled with it, there is nothing left to approve
        (await ReferralTestApp.PostAsync(fm, $"/api/consents/{consent}/revoke")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("cancelled");
        (await ReferralTestApp.PostAsync(lead, $"/api/referrals/{id}/approve")).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE message_type LIKE '%.PartnerAccessEnded' AND body->>'referralId' = '{id}'")).ShouldBe(0);
    }
}
