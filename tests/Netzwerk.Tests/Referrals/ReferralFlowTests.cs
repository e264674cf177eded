using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Netzwerk.Tests.Referrals;

/// <summary>The vertical slice: create → consent → send → partner accepts → the Fallmanager's inbox (through RabbitMQ).</summary>
public sealed class ReferralFlowTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    [Fact]
    public async Task Referral_travels_to_the_partner_and_its_answer_back_to_the_fallmanager_inbox()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");

        var id = await app.DraftAsync(fm);
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("draft");
        // A draft is not visible to the partner.
        (await partner.GetAsync($"/api/partner/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        await app.ConsentAsync(fm, id);
        await app.SendAsync(fm, id);
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("requested");

        var list = await partner.GetFromJsonAsync<JsonElement[]>("/api/partner/referrals");
        list!.Select(r => r.GetProperty("id").GetGuid()).ShouldContain(id);
        var detail = await partner.GetFromJsonAsync<JsonElement>($"/api/partner/referrals/{id}");
        detail.GetProperty("clientDataVisible").GetBoolean().ShouldBeTrue();
        detail.GetProperty("contactDetails").GetString().ShouldBe("Tel. 0151 000000");

        var appointment = app.Clock.GetUtcNow().AddDays(3);
        var accept = await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept", new { appointmentAt = appointment });
        accept.StatusCode.ShouldBe(HttpStatusCode.OK, await accept.Content.ReadAsStringAsync());
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("accepted");

        var items = await ReferralTestApp.InboxAsync(fm, id);
        items.Length.ShouldBe(1);
        items[0].GetProperty("kind").GetString().ShouldBe("accepted");
        items[0].GetProperty("title").GetString()!.ShouldContain("Termin am");

        // The routing consumer started the deadlines and announced the referral to the partner side.
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE message_type LIKE '%ReferralSentToPartner'")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{id}' AND kind = 'attendance-feedback' AND cancelled_at IS NULL")).ShouldBe(1);

        var history = (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{id}")).GetProperty("history").EnumerateArray()
            .Select(h => h.GetProperty("toStatus").GetString()).ToList();
        history.ShouldBe(new[] { "draft", "draft", "requested", "accepted" });
    }

    [Fact]
    public async Task The_referral_api_is_documented_in_openapi()
    {
        var doc = await app.Anonymous().GetStringAsync("/openapi/v1.json");
        foreach (var path in new[]
                 {
                     "/api/referrals", "/api/referrals/{id}", "/api/referrals/{id}/consent", "/api/referrals/{id}/send",
                     "/api/referrals/{id}/cancel", "/api/referrals/{id}/close", "/api/referrals/{id}/entered-in-error",
                     "/api/consents/{id}/revoke", "/api/inbox", "/api/partner/referrals", "/api/partner/referrals/{id}/accept",
                     "/api/partner/referrals/{id}/outcome", "/api/routes", "/api/admin/dead-letters", "/api/referrals/suggestions",
                 })
            doc.ShouldContain($"\"{path}\"");
        doc.ShouldContain("Verweisungen");
    }
}
