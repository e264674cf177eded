using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Netzwerk.Platform.Time;

namespace Netzwerk.Tests.Referrals;

/// <summary>Consent is checked on the server: before sending, for every piece of feedback, and on revocation.</summary>
public sealed class ConsentEnforcementTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private static async Task<string> DetailOf(HttpResponseMessage r) => (await ReferralTestApp.ReadAsync(r)).GetProperty("detail").GetString()!;

    [Fact]
    public async Task No_send_without_a_consent()
    {
        var fm = await app.ClientFor("fm.mueller");
        var id = await app.DraftAsync(fm);
        var response = await fm.PostAsync($"/api/referrals/{id}/send", null);
        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await DetailOf(response)).ShouldContain("Ohne Einwilligung");
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("draft");
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE body->>'referralId' = '{id}'")).ShouldBe(0);
    }

    [Fact]
    public async Task No_send_when_the_consent_does_not_cover_the_shared_categories()
    {
        var fm = await app.ClientFor("fm.mueller");
        var id = await app.DraftAsync(fm, categories: ["contact-data", "referral-reason", "documents"]);
        await app.ConsentAsync(fm, id, categories: ["contact-data", "referral-reason"]);
        var response = await fm.PostAsync($"/api/referrals/{id}/send", null);
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await DetailOf(response)).ShouldContain("Unterlagen");
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("draft");
    }

    [Fact]
    public async Task No_send_when_the_route_requires_a_category_the_consent_lacks()
    {
        // Every seeded route requires contact data; a consent for the reason alone is not enough.
        var fm = await app.ClientFor("fm.mueller");
        var id = await app.DraftAsync(fm, categories: ["referral-reason"]);
        await app.ConsentAsync(fm, id, categories: ["referral-reason"]);
        var response = await fm.PostAsync($"/api/referrals/{id}/send", null);
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await DetailOf(response)).ShouldContain("Kontaktdaten");
    }

    [Fact]
    public async Task Consent_is_validated_minors_need_a_guardian_and_evidence_must_be_pdf_png_or_jpeg()
    {
        var fm = await app.ClientFor("fm.mueller");
        var id = await app.DraftAsync(fm);
        // The calendar day in Germany, as the consent rules count it (right after 23:00 UTC in winter it is already tomorrow).
        var today = app.Clock.Today();
        var minor = await fm.PostAsJsonAsync($"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung", dataCategories = new[] { "contact-data" }, feedbackLevel = "attendance", form = "in-person",
            givenOn = today, clientIsMinor = true,
        });
        minor.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ReferralTestApp.ReadAsync(minor)).GetProperty("errors").GetProperty("guardianName")[0].GetString()!.ShouldContain("Sorgeberechtigten");

        var exe = await fm.PostAsJsonAsync($"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung", dataCategories = new[] { "contact-data" }, feedbackLevel = "attendance", form = "signed-paper",
            givenOn = today, evidenceBase64 = Convert.ToBase64String("MZ\u0090\0 not a scan"u8.ToArray()),
        });
        exe.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await DetailOf(exe)).ShouldContain("PDF");

        var pdf = await fm.PostAsJsonAsync($"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung", dataCategories = new[] { "contact-data", "referral-reason" }, feedbackLevel = "attendance", form = "signed-paper",
            givenOn = today, evidenceBase64 = Convert.ToBase64String("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj"u8.ToArray()),
            clientIsMinor = true, guardianName = "Sorgeberechtigte Person",
        });
        pdf.StatusCode.ShouldBe(HttpStatusCode.OK, await pdf.Content.ReadAsStringAsync());
        var stored = await ReferralTestApp.ReadAsync(pdf);
        stored.GetProperty("evidenceContentType").GetString().ShouldBe("application/pdf");
        (await app.CountAsync($"SELECT octet_length(evidence) FROM referrals.consents WHERE id = '{stored.GetProperty("consentId").GetGuid()}'"))
            .ShouldBe("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj"u8.Length);

        var future = await fm.PostAsJsonAsync($"/api/referrals/{id}/consent", new
        {
            purpose = new string('x', 501), dataCategories = new[] { "alles" }, feedbackLevel = "alles", form = "fax", givenOn = today.AddDays(1),
        });
        future.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await ReferralTestApp.ReadAsync(future)).GetProperty("errors");
        foreach (var field in new[] { "purpose", "dataCategories[0]", "feedbackLevel", "form", "givenOn" })
            errors.TryGetProperty(field, out _).ShouldBeTrue(field);
    }

    [Fact]
    public async Task Feedback_beyond_the_consented_level_is_refused()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        // Debt counselling: attendance only.
        var id = await app.SentReferralAsync(fm, ReferralTestApp.DebtService, level: "attendance");
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var progress = await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/progress", new { note = "Kommt gut voran, Gläubigerliste erstellt" });
        progress.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await DetailOf(progress)).ShouldContain("Nur Teilnahme");
        var outcome = await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/outcome", new { reasonCode = "completed-with-result" });
        outcome.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/attendance", new { attended = true })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.CountAsync($"SELECT count(*) FROM referrals.feedback WHERE referral_id = '{id}' AND kind IN ('progress','outcome')")).ShouldBe(0);

        // Outcome level: outcome code yes, a free-text note with it no, progress notes no.
        var id2 = await app.SentReferralAsync(fm, ReferralTestApp.InsolvencyService, level: "outcome");
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id2}/accept")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id2}/outcome", new { reasonCode = "dropped-out", note = "Details zur Person" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id2}/outcome", new { reasonCode = "dropped-out" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Revocation_cancels_open_referrals_hides_client_data_stops_feedback_and_is_audited()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.DraftAsync(fm);
        var consentId = await app.ConsentAsync(fm, id);
        await app.SendAsync(fm, id);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var revoke = await fm.PostAsync($"/api/consents/{consentId}/revoke", null);
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK, await revoke.Content.ReadAsStringAsync());
        (await ReferralTestApp.ReadAsync(revoke)).GetProperty("cancelledReferralIds").EnumerateArray().Select(e => e.GetGuid()).ShouldBe([id]);
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("cancelled");

        var view = await partner.GetFromJsonAsync<JsonElement>($"/api/partner/referrals/{id}");
        view.GetProperty("clientDataVisible").GetBoolean().ShouldBeFalse();
        view.GetProperty("caseReference").ValueKind.ShouldBe(JsonValueKind.Null);
        view.GetProperty("contactDetails").ValueKind.ShouldBe(JsonValueKind.Null);
        view.GetProperty("reason").ValueKind.ShouldBe(JsonValueKind.Null);

        var late = await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/attendance", new { attended = true });
        late.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await DetailOf(late)).ShouldContain("widerrufen");

        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE message_type LIKE '%.ConsentRevoked' AND body->>'consentId' = '{consentId}'")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE message_type LIKE '%.PartnerAccessEnded' AND body->>'referralId' = '{id}'")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE action = 'consent.revoke' AND object_id = '{consentId}'")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{id}' AND fired_at IS NULL AND cancelled_at IS NULL")).ShouldBe(0);

        (await fm.PostAsync($"/api/consents/{consentId}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Partner_sees_only_consented_and_shared_categories()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.sucht");
        var id = await app.DraftAsync(fm, ReferralTestApp.AddictionService, ["contact-data", "referral-reason"]);
        await app.ConsentAsync(fm, id, categories: ["contact-data"]); // the reason is not consented
        var send = await fm.PostAsync($"/api/referrals/{id}/send", null);
        send.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity); // shared but not consented → no send

        var id2 = await app.DraftAsync(fm, ReferralTestApp.AddictionService, ["contact-data"]);
        await app.ConsentAsync(fm, id2, categories: ["contact-data", "referral-reason"]);
        await app.SendAsync(fm, id2);
        var view = await partner.GetFromJsonAsync<JsonElement>($"/api/partner/referrals/{id2}");
        view.GetProperty("contactDetails").GetString().ShouldBe("Tel. 0151 000000");
        view.GetProperty("reason").ValueKind.ShouldBe(JsonValueKind.Null); // consented but not shared
        view.GetProperty("healthInformation").ValueKind.ShouldBe(JsonValueKind.Null);
        (await app.CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE action = 'referral.read.partner' AND object_id = '{id2}'")).ShouldBe(1);
    }
}
