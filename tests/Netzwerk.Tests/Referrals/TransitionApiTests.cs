using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Netzwerk.Platform.Time;

namespace Netzwerk.Tests.Referrals;

/// <summary>Transitions through the API against PostgreSQL: refused ones answer 409 and change nothing; races end consistently.</summary>
public sealed class TransitionApiTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    [Fact]
    public async Task Whole_lifecycle_through_the_api_ends_completed_and_ends_partner_access()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.SentReferralAsync(fm, ReferralTestApp.InsolvencyService, level: "full");
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept", new { appointmentAt = app.Clock.GetUtcNow().AddHours(-2) })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/attendance", new { attended = true })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("in-progress");
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/progress", new { note = "Erstgespräch geführt" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/outcome", new { reasonCode = "completed-with-result", note = "Plan erstellt" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("in-progress"); // the partner only proposes
        var close = await fm.PostAsJsonAsync($"/api/referrals/{id}/close", new { outcome = "completed", reasonCode = "completed-with-result" });
        close.StatusCode.ShouldBe(HttpStatusCode.OK, await close.Content.ReadAsStringAsync());
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("completed");

        var kinds = (await ReferralTestApp.InboxAsync(fm, id, atLeast: 4)).Select(i => i.GetProperty("kind").GetString()).ToList();
        kinds.ShouldBe(["accepted", "attendance", "progress", "outcome"], ignoreOrder: true);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE message_type LIKE '%.PartnerAccessEnded' AND body->>'referralId' = '{id}'")).ShouldBe(1);
        var partnerView = await partner.GetFromJsonAsync<JsonElement>($"/api/partner/referrals/{id}");
        partnerView.GetProperty("clientDataVisible").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Illegal_transitions_get_409_in_german_and_change_nothing()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.SentReferralAsync(fm);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/decline", new { reasonCode = "no-capacity" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("rejected");
        var historyBefore = await app.CountAsync($"SELECT count(*) FROM referrals.history WHERE referral_id = '{id}'");
        var outboxBefore = await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE body->>'referralId' = '{id}'");

        foreach (var (url, body) in new (string, object?)[]
                 {
                     ($"/api/partner/referrals/{id}/accept", null),
                     ($"/api/partner/referrals/{id}/attendance", new { attended = true }),
                     ($"/api/partner/referrals/{id}/waitlist", null),
                 })
        {
            var response = await ReferralTestApp.PostAsync(partner, url, body);
            response.StatusCode.ShouldBe(HttpStatusCode.Conflict, url);
            (await ReferralTestApp.ReadAsync(response)).GetProperty("detail").GetString()!.ShouldContain("nicht möglich");
        }
        foreach (var url in new[] { $"/api/referrals/{id}/send", $"/api/referrals/{id}/cancel" })
            (await ReferralTestApp.PostAsync(fm, url)).StatusCode.ShouldBe(HttpStatusCode.Conflict, url);
        (await fm.PostAsJsonAsync($"/api/referrals/{id}/close", new { outcome = "failed", reasonCode = "no-capacity" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("rejected");
        (await app.CountAsync($"SELECT count(*) FROM referrals.history WHERE referral_id = '{id}'")).ShouldBe(historyBefore);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE body->>'referralId' = '{id}'")).ShouldBe(outboxBefore);
        (await app.CountAsync($"SELECT count(*) FROM referrals.feedback WHERE referral_id = '{id}'")).ShouldBe(1);

        // entered-in-error stays possible from a final state, and only once.
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{id}/entered-in-error")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{id}/entered-in-error")).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Cancelled_draft_cannot_be_sent_and_cancelling_a_sent_referral_ends_partner_access()
    {
        var fm = await app.ClientFor("fm.mueller");
        var draft = await app.DraftAsync(fm);
        await app.ConsentAsync(fm, draft);
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{draft}/cancel", new { reason = "Person zieht weg" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await fm.PostAsync($"/api/referrals/{draft}/send", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE message_type LIKE '%.PartnerAccessEnded' AND body->>'referralId' = '{draft}'")).ShouldBe(0);

        var sent = await app.SentReferralAsync(fm);
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{sent}/cancel")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE message_type LIKE '%.PartnerAccessEnded' AND body->>'referralId' = '{sent}'")).ShouldBe(1);
    }

    [Fact]
    public async Task Concurrent_partner_answers_one_wins_the_others_get_409()
    {
        var fm = await app.ClientFor("fm.mueller");
        var id = await app.SentReferralAsync(fm);
        var clients = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => app.ClientFor("partner.schuldner")));
        var responses = await Task.WhenAll(clients.Select((c, i) => i % 2 == 0
            ? ReferralTestApp.PostAsync(c, $"/api/partner/referrals/{id}/accept")
            : ReferralTestApp.PostAsync(c, $"/api/partner/referrals/{id}/decline", new { reasonCode = "no-capacity" })));
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(7);
        var status = await ReferralTestApp.StatusOfAsync(fm, id);
        status.ShouldBeOneOf("accepted", "rejected");
        (await app.CountAsync($"SELECT count(*) FROM referrals.history WHERE referral_id = '{id}' AND to_status IN ('accepted','rejected')")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM referrals.feedback WHERE referral_id = '{id}'")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE body->>'referralId' = '{id}' AND (message_type LIKE '%.ReferralAccepted' OR message_type LIKE '%.ReferralDeclined')")).ShouldBe(1);
        (await ReferralTestApp.InboxAsync(fm, id)).Length.ShouldBe(1);
    }

    [Fact]
    public async Task Concurrent_consents_on_one_draft_one_wins_and_the_others_leave_no_consent_behind()
    {
        // The consent is inserted in the same batch as the referral's row, which is guarded by its xmin: a losing
        // request must take its consent and history entry with it.
        var fm = await app.ClientFor("fm.mueller");
        var caseRef = $"AZ-{Guid.NewGuid():N}"[..20];
        var id = await app.DraftAsync(fm, caseRef: caseRef);
        var clients = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => app.ClientFor("fm.mueller")));
        var responses = await Task.WhenAll(clients.Select(c => ReferralTestApp.PostAsync(c, $"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung", dataCategories = new[] { "contact-data", "referral-reason" }, feedbackLevel = "attendance",
            form = "signed-paper", givenOn = app.Clock.Today().AddDays(-1),
        })));
        var won = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        won.ShouldBeGreaterThanOrEqualTo(1); // requests that read the draft after a winner's commit may win too, one after another
        responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(responses.Length - won);
        (await app.CountAsync($"SELECT count(*) FROM referrals.consents WHERE case_reference = '{caseRef}'")).ShouldBe(won);
        (await app.CountAsync($"SELECT count(*) FROM referrals.history WHERE referral_id = '{id}' AND event = 'ConsentRecorded'")).ShouldBe(won);
        (await app.CountAsync($"SELECT count(*) FROM referrals.referrals r JOIN referrals.consents c ON c.id = r.consent_id WHERE r.id = '{id}' AND c.case_reference = '{caseRef}'")).ShouldBe(1);
    }

    [Fact]
    public async Task Bad_input_gets_german_4xx_never_500()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var tooLong = await fm.PostAsJsonAsync("/api/referrals", new
        {
            caseReference = "Max Mustermann", serviceId = ReferralTestApp.DebtService, reason = new string('x', 2001),
            sharedCategories = new[] { "contact-data" }, urgency = "sofort",
        });
        tooLong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await ReferralTestApp.ReadAsync(tooLong)).GetProperty("errors");
        errors.GetProperty("caseReference")[0].GetString()!.ShouldContain("keine Namen");
        errors.GetProperty("reason")[0].GetString()!.ShouldContain("2000");
        errors.GetProperty("urgency").GetArrayLength().ShouldBe(1);
        errors.GetProperty("contactDetails").GetArrayLength().ShouldBe(1);

        var unknownService = await fm.PostAsJsonAsync("/api/referrals", new
        {
            caseReference = "AZ-1", serviceId = Guid.NewGuid(), reason = "x", sharedCategories = new[] { "referral-reason" },
        });
        unknownService.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);

        (await fm.PostAsync("/api/referrals", new StringContent("{\"caseReference\": ", Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await fm.GetAsync($"/api/referrals/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await fm.GetAsync("/api/referrals/keine-guid")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{Guid.NewGuid()}/accept")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var id = await app.SentReferralAsync(fm);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/decline", new { reasonCode = "weil" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/attendance", new { })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await fm.PostAsJsonAsync($"/api/referrals/{id}/close", new { outcome = "completed", reasonCode = "dropped-out" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("requested");
    }

    [Fact]
    public async Task Routes_are_versioned_and_a_running_referral_keeps_its_version()
    {
        var fm = await app.ClientFor("fm.mueller");
        var coordinator = await app.ClientFor("nk.hoffmann");
        var before = await app.DraftAsync(fm, ReferralTestApp.DebtService);
        var routes = await coordinator.GetFromJsonAsync<JsonElement[]>("/api/routes");
        var debt = routes!.Single(r => r.GetProperty("key").GetString() == "schuldnerberatung");
        debt.GetProperty("steps")[0].GetProperty("defaultFeedbackLevel").GetString().ShouldBe("attendance");
        var version = debt.GetProperty("version").GetInt32();

        var put = await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", new
        {
            name = "Schuldnerberatung (neu)",
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data", "referral-reason" }, defaultFeedbackLevel = "attendance" },
                new { kind = "response", responseWorkingDays = 3, reminderWorkingDays = new[] { 2 }, escalationWorkingDays = 6, escalationTarget = "Netzwerkkoordination" },
            },
        });
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        (await ReferralTestApp.ReadAsync(put)).GetProperty("version").GetInt32().ShouldBe(version + 1);

        (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{before}")).GetProperty("routeVersion").GetInt32().ShouldBe(version);
        var after = await app.DraftAsync(fm, ReferralTestApp.DebtService);
        (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{after}")).GetProperty("routeVersion").GetInt32().ShouldBe(version + 1);

        (await fm.PutAsJsonAsync("/api/routes/schuldnerberatung", new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", new { name = "x", steps = new object[] { new { kind = "response", responseWorkingDays = 0, escalationTarget = "Chef" } } }))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var suggestions = await fm.GetFromJsonAsync<JsonElement[]>($"/api/referrals/suggestions?serviceId={ReferralTestApp.DebtService}");
        var suggested = suggestions!.Select(x => x.GetProperty("serviceId").GetGuid()).ToList();
        suggested.ShouldContain(ReferralTestApp.DebtService);
        suggested.ShouldContain(ReferralTestApp.InsolvencyService);
        suggested.ShouldNotContain(ReferralTestApp.AddictionService);
        suggestions!.Select(x => x.GetProperty("score").GetInt32()).ShouldBeInOrder(SortDirection.Descending);
    }
}
