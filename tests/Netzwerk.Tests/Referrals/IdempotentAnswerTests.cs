using System.Net;
using System.Net.Http.Json;
using Netzwerk.Referrals.Partner;

namespace Netzwerk.Tests.Referrals;

/// <summary>
/// A partner system that repeats an answer after losing the response (timeout, instance killed, failover) with the same
/// Idempotency-Key gets the first answer back; nothing is reported twice.
/// </summary>
public sealed class IdempotentAnswerTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private static async Task<HttpResponseMessage> AnswerAsync(HttpClient partner, string url, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add(IdempotentAnswers.Header, key);
        return await partner.SendAsync(request);
    }

    [Fact]
    public async Task A_repeated_answer_with_the_same_key_is_stored_and_delivered_once()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.SentReferralAsync(fm, ReferralTestApp.InsolvencyService, level: "outcome");
        var accept = new { appointmentAt = app.Clock.GetUtcNow().AddMinutes(-5) };

        var first = await AnswerAsync(partner, $"/api/partner/referrals/{id}/accept", accept, "accept-1");
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var again = await AnswerAsync(partner, $"/api/partner/referrals/{id}/accept", accept, "accept-1");
        again.StatusCode.ShouldBe(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        (await ReferralTestApp.ReadAsync(again)).GetProperty("feedbackId").GetGuid()
            .ShouldBe((await ReferralTestApp.ReadAsync(first)).GetProperty("feedbackId").GetGuid());

        // Attendance may legitimately be reported more than once; with one key it counts once.
        for (var i = 0; i < 3; i++)
            (await AnswerAsync(partner, $"/api/partner/referrals/{id}/attendance", new { attended = true }, "att-1")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await app.CountAsync($"SELECT count(*) FROM referrals.feedback WHERE referral_id = '{id}' AND kind = 'accepted'")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM referrals.feedback WHERE referral_id = '{id}' AND kind = 'attendance'")).ShouldBe(1);
        var inbox = await ReferralTestApp.InboxAsync(fm, id, atLeast: 2);
        inbox.Count(i => i.GetProperty("kind").GetString() == "attendance").ShouldBe(1);

        // Without a key, a second attendance report is a new report.
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/attendance", new { attended = true })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.CountAsync($"SELECT count(*) FROM referrals.feedback WHERE referral_id = '{id}' AND kind = 'attendance'")).ShouldBe(2);
    }

    [Fact]
    public async Task A_key_reused_for_another_answer_or_malformed_gets_a_german_4xx()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.SentReferralAsync(fm, ReferralTestApp.InsolvencyService, level: "outcome");
        (await AnswerAsync(partner, $"/api/partner/referrals/{id}/accept", new { appointmentAt = app.Clock.GetUtcNow().AddMinutes(-5) }, "k"))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        var reused = await AnswerAsync(partner, $"/api/partner/referrals/{id}/attendance", new { attended = true }, "k");
        reused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await ReferralTestApp.ReadAsync(reused)).GetProperty("detail").GetString()!.ShouldContain("andere Rückmeldung");

        var malformed = await AnswerAsync(partner, $"/api/partner/referrals/{id}/attendance", new { attended = true }, new string('x', 201));
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await malformed.Content.ReadAsStringAsync()).ShouldContain("Idempotency-Key");
        (await app.CountAsync($"SELECT count(*) FROM referrals.feedback WHERE referral_id = '{id}'")).ShouldBe(1);
    }
}
