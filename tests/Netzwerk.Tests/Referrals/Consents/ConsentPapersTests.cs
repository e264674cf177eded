using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Netzwerk.Tests.Referrals.Consents;

/// <summary>
/// The Einwilligungserklärung (printed and on screen) against what is recorded and enforced: its items, its form number,
/// its languages and text versions; and Betreuung of adults.
/// </summary>
public sealed partial class ConsentPapersTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private static readonly string[] Categories = ["contact-data", "referral-reason", "documents", "health-addiction"];
    private static readonly string[] Levels = ["attendance", "outcome", "full"];

    /// <summary>What one language column of the rendered declaration says.</summary>
    private sealed record Rendered(string FormNumber, string Purpose, string[] Categories, string Level, string? Expiry, string Html);

    private static Rendered Parse(string html, string language = "de")
    {
        var column = Regex.Match(html, $"<section [^>]*data-lang=\"{language}\"[^>]*>(.*?)</section>", RegexOptions.Singleline);
        column.Success.ShouldBeTrue($"no column for {language}");
        var body = column.Groups[1].Value;
        return new Rendered(
            Regex.Match(html, "data-form-number=\"([^\"]+)\"").Groups[1].Value,
            Regex.Match(body, "data-purpose>([^<]*)<").Groups[1].Value,
            Regex.Matches(body, "data-category=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray(),
            Regex.Match(body, "data-feedback-level=\"([^\"]+)\"").Groups[1].Value,
            Regex.Match(body, "data-expiry=\"([^\"]*)\"").Groups[1].Value is { Length: > 0 } e ? e : null,
            column.Value);
    }

    private static async Task<string> PageAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
        // Razor may encode non-ASCII letters as character references; the assertions read the text.
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    private object ConsentBody(Rendered d, string form = "signed-paper", string? formNumber = null, string? level = null,
        string[]? categories = null, string? guardianName = null, bool minor = false) => new
    {
        purpose = d.Purpose, dataCategories = categories ?? d.Categories, feedbackLevel = level ?? d.Level, form,
        givenOn = app.Clock.GetUtcNow().UtcDateTime.Date.ToString("yyyy-MM-dd"), expiresOn = d.Expiry,
        formNumber = formNumber ?? d.FormNumber, guardianName, clientIsMinor = minor,
    };

    [Fact]
    public async Task For_every_combination_of_categories_and_feedback_level_the_declaration_is_what_gets_recorded_and_enforced()
    {
        var fm = await app.CookieClientAsync("fm.mueller");
        var api = await app.ClientFor("fm.mueller");
        var combinations = 0;
        for (var mask = 1; mask < 1 << Categories.Length; mask++)
        {
            var chosen = Categories.Where((_, i) => (mask & (1 << i)) != 0).ToArray();
            foreach (var level in Levels)
            {
                combinations++;
                var id = await app.DraftAsync(api, categories: chosen.Where(c => c != "health-addiction").DefaultIfEmpty("referral-reason").ToArray(),
                    caseRef: $"AZ-2026/P{mask:00}{level[0]}");
                var query = string.Join("&", chosen.Select(c => "kategorien=" + c)) + "&rueckmeldung=" + level;
                var html = await PageAsync(fm, $"/verweisungen/{id}/erklaerung?{query}");
                var d = Parse(html);
                d.Categories.ShouldBe(chosen, $"printed categories for {query}");
                d.Level.ShouldBe(level);
                // Art. 9: health/addiction is its own, marked item, never folded into another
                Regex.IsMatch(d.Html, "data-category=\"health-addiction\" class=\"art9\"").ShouldBe(chosen.Contains("health-addiction"));
                d.Html.ShouldContain("Art. 7 Abs. 3 DSGVO");
                d.Html.ShouldContain("§ 67b");

                // a scope other than the printed one is refused in German, nothing recorded
                var otherLevel = Levels[(Array.IndexOf(Levels, level) + 1) % Levels.Length];
                var wrong = await api.PostAsJsonAsync($"/api/referrals/{id}/consent", ConsentBody(d, level: otherLevel));
                wrong.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
                (await ReferralTestApp.ReadAsync(wrong)).GetProperty("detail").GetString()!.ShouldContain(d.FormNumber);

                var recorded = await api.PostAsJsonAsync($"/api/referrals/{id}/consent", ConsentBody(d));
                recorded.StatusCode.ShouldBe(HttpStatusCode.OK, await recorded.Content.ReadAsStringAsync());
                var consent = (await api.GetFromJsonAsync<JsonElement>($"/api/referrals/{id}")).GetProperty("consent");
                consent.GetProperty("dataCategories").EnumerateArray().Select(c => c.GetString()).Order().ShouldBe(chosen.Order());
                consent.GetProperty("feedbackLevel").GetString().ShouldBe(level);
                consent.GetProperty("formNumber").GetString().ShouldBe(d.FormNumber);

                // enforced: sending works exactly when the printed categories cover what the referral shares and the route needs
                var send = await api.PostAsync($"/api/referrals/{id}/send", null);
                send.StatusCode.ShouldBe(chosen.Contains("contact-data") ? HttpStatusCode.OK : HttpStatusCode.UnprocessableEntity,
                    $"send with {string.Join(",", chosen)}: {await send.Content.ReadAsStringAsync()}");
                if (send.StatusCode == HttpStatusCode.OK)
                    (await api.GetFromJsonAsync<JsonElement>($"/api/referrals/{id}")).GetProperty("feedbackLevel").GetString().ShouldBe(level);
            }
        }
        combinations.ShouldBe(45);
    }

    [Fact]
    public async Task Arabic_declaration_renders_right_to_left_beside_the_binding_German_text()
    {
        var fm = await app.CookieClientAsync("fm.mueller");
        var id = await app.DraftAsync(await app.ClientFor("fm.mueller"), caseRef: "AZ-2026/AR01");
        var html = await PageAsync(fm, $"/verweisungen/{id}/erklaerung?sprache=ar&bis={app.Clock.GetUtcNow().UtcDateTime.AddDays(90):yyyy-MM-dd}");
        Regex.IsMatch(html, "<section [^>]*lang=\"ar\" dir=\"rtl\" data-lang=\"ar\"").ShouldBeTrue();
        Regex.IsMatch(html, "<section [^>]*lang=\"de\" dir=\"ltr\" data-lang=\"de\"").ShouldBeTrue();
        html.ShouldContain("Deutsch – verbindliche Fassung");
        html.ShouldContain("النص الألماني هو النص الملزم");
        var ar = Parse(html, "ar");
        var de = Parse(html, "de");
        ar.Categories.ShouldBe(de.Categories);
        ar.Level.ShouldBe(de.Level);
        ar.Expiry.ShouldNotBeNull();
        ar.FormNumber.ShouldStartWith("EW-AR-");
        html.ShouldContain("AZ-2026/AR01"); // printed for the client's file, never put in a URL
    }

    [Fact]
    public async Task A_text_change_after_signing_leaves_the_signed_declaration_unchanged()
    {
        var fm = await app.CookieClientAsync("fm.mueller");
        var api = await app.ClientFor("fm.mueller");
        var signedId = await app.DraftAsync(api, caseRef: "AZ-2026/TX01");
        var before = Parse(await PageAsync(fm, $"/verweisungen/{signedId}/erklaerung"));
        (await api.PostAsJsonAsync($"/api/referrals/{signedId}/consent", ConsentBody(before))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var signedVersion = int.Parse(before.FormNumber.Split('-')[2]);

        var nk = await app.ClientFor("nk.hoffmann");
        var current = await nk.GetFromJsonAsync<JsonElement>("/api/consent-texts/de");
        var texts = current.GetProperty("texts").Deserialize<Dictionary<string, string>>()!;
        var oldIntro = texts["intro"];
        texts["intro"] = "Neue Fassung: " + oldIntro;
        var added = await nk.PostAsJsonAsync("/api/consent-texts/de", new { texts });
        added.StatusCode.ShouldBe(HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        var newVersion = (await ReferralTestApp.ReadAsync(added)).GetProperty("version").GetInt32();
        newVersion.ShouldBeGreaterThan(signedVersion);

        // the signed declaration still shows the text it was signed on
        var signed = Parse(await PageAsync(fm, $"/verweisungen/{signedId}/erklaerung"));
        signed.FormNumber.ShouldBe(before.FormNumber);
        signed.Html.ShouldContain(oldIntro, Case.Sensitive);
        signed.Html.ShouldNotContain("Neue Fassung:");
        (await nk.GetFromJsonAsync<JsonElement>($"/api/consent-texts/de/{signedVersion}")).GetProperty("texts").GetProperty("intro").GetString().ShouldBe(oldIntro);
        // a new declaration gets the new text and a new number
        var fresh = Parse(await PageAsync(fm, $"/verweisungen/{await app.DraftAsync(api, caseRef: "AZ-2026/TX02")}/erklaerung"));
        fresh.Html.ShouldContain("Neue Fassung:");
        fresh.FormNumber.ShouldStartWith($"EW-DE-{newVersion}-{newVersion}-");
        // and the stored versions cannot be edited behind the application's back
        await Should.ThrowAsync<Npgsql.PostgresException>(() => app.CountAsync(
            $"UPDATE referrals.consent_texts SET created_by = 'x' WHERE language = 'de' AND version = {signedVersion} RETURNING 1"));
    }

    [Fact]
    public async Task Only_coordination_and_data_protection_add_text_versions_and_every_part_must_be_filled()
    {
        var texts = (await (await app.ClientFor("ds.becker")).GetFromJsonAsync<JsonElement>("/api/consent-texts/tr"))
            .GetProperty("texts").Deserialize<Dictionary<string, string>>()!;
        var fm = await app.ClientFor("fm.mueller");
        (await fm.PostAsJsonAsync("/api/consent-texts/tr", new { texts })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        texts.Remove("revoke.text");
        var incomplete = await (await app.ClientFor("ds.becker")).PostAsJsonAsync("/api/consent-texts/tr", new { texts });
        incomplete.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ReferralTestApp.ReadAsync(incomplete)).GetProperty("errors").GetProperty("revoke.text")[0].GetString()!.ShouldContain("Widerruf");
        (await (await app.ClientFor("ds.becker")).PostAsJsonAsync("/api/consent-texts/xx", new { texts })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_adult_under_guardianship_cannot_be_referred_without_the_guardians_consent_and_either_may_revoke()
    {
        var fm = await app.CookieClientAsync("fm.mueller");
        var api = await app.ClientFor("fm.mueller");
        var id = await app.DraftAsync(api, caseRef: "AZ-2026/BT01");
        var d = Parse(await PageAsync(fm, $"/verweisungen/{id}/erklaerung"));
        // consented before the Betreuung was known …
        (await api.PostAsJsonAsync($"/api/referrals/{id}/consent", ConsentBody(d))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var empty = await api.PostAsJsonAsync($"/api/referrals/{id}/guardianship", new { scope = " " });
        empty.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await api.PostAsJsonAsync($"/api/referrals/{id}/guardianship", new { scope = "Vermögenssorge, Behördenangelegenheiten" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        // … is not enough once it is
        var send = await api.PostAsync($"/api/referrals/{id}/send", null);
        send.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await ReferralTestApp.ReadAsync(send)).GetProperty("detail").GetString()!.ShouldContain("Betreuerin oder des Betreuers");
        (await ReferralTestApp.StatusOfAsync(api, id)).ShouldBe("draft");

        // the next referral of the same person: the declaration asks for the Betreuer/in's signature, the consent needs it
        var second = await app.DraftAsync(api, caseRef: "AZ-2026/BT01");
        var html = await PageAsync(fm, $"/verweisungen/{second}/erklaerung");
        html.ShouldContain("data-guardian-signature");
        html.ShouldContain("Vermögenssorge, Behördenangelegenheiten");
        var d2 = Parse(html);
        var without = await api.PostAsJsonAsync($"/api/referrals/{second}/consent", ConsentBody(d2));
        without.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ReferralTestApp.ReadAsync(without)).GetProperty("errors").GetProperty("guardianName")[0].GetString()!.ShouldContain("Betreuung");
        var with = await api.PostAsJsonAsync($"/api/referrals/{second}/consent", ConsentBody(d2, guardianName: "Betreuerin B."));
        with.StatusCode.ShouldBe(HttpStatusCode.OK, await with.Content.ReadAsStringAsync());
        await app.SendAsync(api, second);

        // the Betreuerin revokes: honoured like the client's own revocation
        var consentId = (await ReferralTestApp.ReadAsync(with)).GetProperty("consentId").GetGuid();
        var revoked = await api.PostAsJsonAsync($"/api/consents/{consentId}/revoke", new { revokedBy = "guardian" });
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK, await revoked.Content.ReadAsStringAsync());
        (await ReferralTestApp.StatusOfAsync(api, second)).ShouldBe("cancelled");
        (await api.GetFromJsonAsync<JsonElement>($"/api/referrals/{second}")).GetProperty("consent").GetProperty("revokedByParty").GetString().ShouldBe("guardian");

        // a client without guardian: "guardian" is refused; the client's own revocation (no body) still works
        var third = await app.DraftAsync(api, caseRef: "AZ-2026/BT02");
        var plain = await app.ConsentAsync(api, third);
        (await api.PostAsJsonAsync($"/api/consents/{plain}/revoke", new { revokedBy = "guardian" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await api.PostAsync($"/api/consents/{plain}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_digital_consent_stores_the_exact_text_version_and_the_typed_name()
    {
        var api = await app.ClientFor("fm.mueller");
        var fm = await app.CookieClientAsync("fm.mueller");
        var id = await app.DraftAsync(api, caseRef: "AZ-2026/DG01");
        var d = Parse(await PageAsync(fm, $"/verweisungen/{id}/einwilligung-digital?sprache=uk"));
        var noName = await api.PostAsJsonAsync($"/api/referrals/{id}/consent", ConsentBody(d, form: "digital"));
        noName.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var body = JsonSerializer.SerializeToElement(ConsentBody(d, form: "digital"), ReferralTestApp.Json)
            .Deserialize<Dictionary<string, object?>>()!;
        body["confirmedName"] = "Olena K.";
        var ok = await api.PostAsJsonAsync($"/api/referrals/{id}/consent", body);
        ok.StatusCode.ShouldBe(HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());
        var stored = await ReferralTestApp.ReadAsync(ok);
        stored.GetProperty("textLanguage").GetString().ShouldBe("uk");
        stored.GetProperty("textVersion").GetInt32().ShouldBe(int.Parse(d.FormNumber.Split('-')[2]));
        (await app.CountAsync($"SELECT count(*) FROM referrals.consents WHERE id = '{stored.GetProperty("consentId").GetGuid()}' AND confirmed_name = 'Olena K.' AND form = 'digital'"))
            .ShouldBe(1);
    }
    [Fact]
    public async Task The_slip_tells_where_to_go_and_names_only_what_the_consent_covers()
    {
        var fm = await app.CookieClientAsync("fm.mueller");
        var api = await app.ClientFor("fm.mueller");
        var id = await app.DraftAsync(api, categories: ["contact-data", "referral-reason", "documents"], caseRef: "AZ-2026/SL01");
        (await PageAsync(fm, $"/verweisungen/{id}/verweisungsschein")).ShouldContain("data-refusal");

        await app.ConsentAsync(api, id, categories: ["contact-data", "referral-reason"]); // documents not consented
        var html = await PageAsync(fm, $"/verweisungen/{id}/verweisungsschein?sprache=ru");
        html.ShouldNotContain("data-refusal");
        Regex.Match(html, "data-partner>([^<]+)<").Groups[1].Value.ShouldNotBeNullOrWhiteSpace();
        Regex.Match(html, "data-address>([^<]+)<").Groups[1].Value.ShouldMatch(@"\d{5}");
        var ru = Parse(html, "ru");
        ru.Categories.ShouldBe(["contact-data", "referral-reason"]);
        Parse(html, "de").Categories.ShouldBe(["contact-data", "referral-reason"]);
        html.ShouldContain("Направление");
        html.ShouldContain("Art. 7 Abs. 3 DSGVO");
        // nothing of the client beyond the consent: no case reference, reason, goal, note or the client's phone
        foreach (var secret in new[] { "AZ-2026/SL01", "Mietschulden", "Schuldenregulierung", "Bitte zeitnah melden", "0151 000000" })
            html.ShouldNotContain(secret);

        var consentId = (await api.GetFromJsonAsync<JsonElement>($"/api/referrals/{id}")).GetProperty("consent").GetProperty("id").GetGuid();
        (await api.PostAsync($"/api/consents/{consentId}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PageAsync(fm, $"/verweisungen/{id}/verweisungsschein")).ShouldContain("data-refusal");
    }
    [Fact]
    public async Task The_consent_overview_lists_every_consent_of_the_person_and_revokes_from_there()
    {
        var api = await app.ClientFor("fm.mueller");
        var first = await app.DraftAsync(api, caseRef: "AZ-2026/OV01");
        var firstConsent = await app.ConsentAsync(api, first);
        await app.SendAsync(api, first);
        var second = await app.DraftAsync(api, serviceId: ReferralTestApp.AddictionService, caseRef: "AZ-2026/OV01");
        await app.ConsentAsync(api, second, categories: ["contact-data", "referral-reason"]);
        var other = await app.DraftAsync(api, caseRef: "AZ-2026/OV99");
        await app.ConsentAsync(api, other);
        // another Fallmanager's referral of the same person stays out of fm.mueller's overview
        var schmidt = await app.ClientFor("fm.schmidt");
        var foreign = await app.DraftAsync(schmidt, caseRef: "AZ-2026/OV01");
        var foreignConsent = await app.ConsentAsync(schmidt, foreign);

        var items = (await api.GetFromJsonAsync<JsonElement>($"/api/referrals/{second}/consents")).EnumerateArray().ToList();
        items.Count.ShouldBe(2);
        items.Select(i => i.GetProperty("consentId").GetGuid()).ShouldNotContain(foreignConsent);
        items.Single(i => i.GetProperty("consentId").GetGuid() == firstConsent).GetProperty("referrals")[0].GetProperty("id").GetGuid().ShouldBe(first);
        items.ShouldAllBe(i => i.GetProperty("status").GetString() == "valid");
        (await schmidt.GetAsync($"/api/referrals/{second}/consents")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // revoke from the overview page: the consent turns "widerrufen", its sent referral is cancelled
        var fm = await app.CookieClientAsync("fm.mueller");
        var page = await fm.GetStringAsync($"/verweisungen/{second}/einwilligungen");
        var token = Netzwerk.Tests.Infrastructure.NetzwerkApp.FormToken(page);
        var post = new HttpRequestMessage(HttpMethod.Post, $"/verweisungen/{second}/einwilligungen?handler=Revoke")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["ConsentId"] = firstConsent.ToString(), ["RevokedBy"] = "client", ["ConfirmRevoke"] = "true",
            }),
        };
        post.Headers.Add("Origin", fm.BaseAddress!.GetLeftPart(UriPartial.Authority));
        var revoked = await fm.SendAsync(post);
        revoked.StatusCode.ShouldBe(HttpStatusCode.Redirect, await revoked.Content.ReadAsStringAsync());
        (await ReferralTestApp.StatusOfAsync(api, first)).ShouldBe("cancelled");
        var after = (await api.GetFromJsonAsync<JsonElement>($"/api/referrals/{second}/consents")).EnumerateArray().ToList();
        after.Single(i => i.GetProperty("consentId").GetGuid() == firstConsent).GetProperty("status").GetString().ShouldBe("revoked");
        (await app.CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE action = 'consent.overview' AND object_id = '{second}'")).ShouldBeGreaterThan(0);
    }
    [Fact]
    public async Task Retention_erases_the_typed_name_and_the_Betreuung_with_the_persons_last_referral()
    {
        var fm = await app.CookieClientAsync("fm.mueller");
        var api = await app.ClientFor("fm.mueller");
        async Task<Guid> ConsentedDigitallyAsync(string caseRef)
        {
            var id = await app.DraftAsync(api, caseRef: caseRef);
            var g = await api.PostAsJsonAsync($"/api/referrals/{id}/guardianship", new { scope = "Gesundheitssorge" });
            g.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.Conflict); // the second referral of a person finds it recorded
            var d = Parse(await PageAsync(fm, $"/verweisungen/{id}/einwilligung-digital"));
            var body = JsonSerializer.SerializeToElement(ConsentBody(d, form: "digital", guardianName: "Betreuer C."), ReferralTestApp.Json)
                .Deserialize<Dictionary<string, object?>>()!;
            body["confirmedName"] = "Max R.";
            (await api.PostAsJsonAsync($"/api/referrals/{id}/consent", body)).StatusCode.ShouldBe(HttpStatusCode.OK);
            return id;
        }
        var ended = await ConsentedDigitallyAsync("AZ-2026/RT01");
        (await ReferralTestApp.PostAsync(api, $"/api/referrals/{ended}/cancel", new { reason = "erledigt" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var stillOpen = await ConsentedDigitallyAsync("AZ-2026/RT02");
        await app.SendAsync(api, stillOpen); // an untouched draft would count as ended
        var endedToo = await ConsentedDigitallyAsync("AZ-2026/RT02");
        (await ReferralTestApp.PostAsync(api, $"/api/referrals/{endedToo}/cancel", new { reason = "doppelt" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var scope = app.Services.CreateScope();
        var task = scope.ServiceProvider.GetServices<Netzwerk.Platform.Retention.IRetentionTask>()
            .OfType<Netzwerk.Referrals.Retention.ReferralRetention>().Single();
        await task.DeleteExpiredAsync(app.Clock.GetUtcNow().AddMinutes(1), CancellationToken.None);

        (await app.CountAsync("SELECT count(*) FROM referrals.guardianships WHERE case_reference = 'AZ-2026/RT01'")).ShouldBe(0);
        (await app.CountAsync("SELECT count(*) FROM referrals.guardianships WHERE case_reference = 'AZ-2026/RT02'")).ShouldBe(1, "an open referral of the person still needs it");
        (await app.CountAsync($"SELECT count(*) FROM referrals.consents c JOIN referrals.referrals r ON r.consent_id = c.id WHERE r.id = '{ended}' AND c.confirmed_name IS NULL")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM referrals.consents c JOIN referrals.referrals r ON r.consent_id = c.id WHERE r.id = '{stillOpen}' AND c.confirmed_name = 'Max R.'")).ShouldBe(1);
    }
}
