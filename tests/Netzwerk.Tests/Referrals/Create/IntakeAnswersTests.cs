using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Netzwerk.Referrals;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Retention;
using Netzwerk.Referrals.Create;
using Netzwerk.Referrals.Retention;
using Netzwerk.Referrals.Routes;
using Shouldly;
using Xunit;

namespace Netzwerk.Tests.Referrals.Create;

/// <summary>The pure part: which answers are refused and which required questions are still open.</summary>
public sealed class IntakeAnswersRulesTests
{
    private static readonly ReferralRoute Route = new()
    {
        Steps = [new IntakeStep([
            new IntakeQuestion("wohnsituation", "Wie wohnt die Person?", true, DataCategories.Reason),
            new IntakeQuestion("erreichbarkeit", "Wann ist sie erreichbar?", false, DataCategories.Contact)])],
    };

    [Fact]
    public void Each_refusal_names_the_answer_field()
    {
        var errors = IntakeAnswers.Check(Route, new Dictionary<string, string?>
        {
            ["unbekannt"] = "x", ["erreichbarkeit"] = new string('a', IntakeAnswers.MaxLength + 1), ["Nicht gültig!"] = "y",
        });
        errors.Keys.Order().ShouldBe(["intakeAnswers", "intakeAnswers.erreichbarkeit", "intakeAnswers.unbekannt", "intakeAnswers.wohnsituation"]);
        errors["intakeAnswers.erreichbarkeit"].ShouldBe(["Die Antwort darf höchstens 2000 Zeichen lang sein."]);
        errors["intakeAnswers.wohnsituation"].ShouldBe(["Bitte beantworten Sie die Pflichtfrage „Wie wohnt die Person?“."]);
        IntakeAnswers.Check(Route, new Dictionary<string, string?> { ["wohnsituation"] = "Mit\0Steuerzeichen" })["intakeAnswers.wohnsituation"]
            .ShouldBe(["Der Text enthält unzulässige Steuerzeichen oder ungültige Zeichen."]);
        IntakeAnswers.Check(Route, new Dictionary<string, string?> { ["wohnsituation"] = new string('a', IntakeAnswers.MaxLength) }).ShouldBeEmpty();
    }

    [Fact]
    public void Missing_lists_required_questions_without_a_non_blank_answer()
    {
        IntakeAnswers.Missing(Route, (IReadOnlyDictionary<string, string>?)null).Select(q => q.Id).ShouldBe(["wohnsituation"]);
        IntakeAnswers.Missing(Route, new Dictionary<string, string> { ["wohnsituation"] = "  " }).Select(q => q.Id).ShouldBe(["wohnsituation"]);
        IntakeAnswers.Missing(Route, new Dictionary<string, string> { ["wohnsituation"] = "Wohnung" }).ShouldBeEmpty();

        var referral = new Referral { IntakeAnswers = IntakeAnswers.Write(IntakeAnswers.Take(Route, new Dictionary<string, string?> { ["wohnsituation"] = " Wohnung " })) };
        IntakeAnswers.Missing(Route, referral).ShouldBeEmpty();
        IntakeAnswers.Read(referral.IntakeAnswers).Single().ShouldBe(new IntakeAnswer("wohnsituation", "Wie wohnt die Person?", DataCategories.Reason, true, "Wohnung"));
        IntakeAnswers.Missing(Route, new Referral()).Select(q => q.Id).ShouldBe(["wohnsituation"]);
    }
}

/// <summary>Intake answers through the API and the pages, against the real PostgreSQL: stored, refused, shown within the consent.</summary>
public sealed class IntakeAnswersTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private const string Housing = "Wie ist die Wohnsituation?";
    private const string Reachable = "Wann ist die Person erreichbar?";

    /// <summary>A route for the insolvency service asking one reason question (required) and one contact question.</summary>
    private async Task RouteWithQuestionsAsync()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var put = await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", new
        {
            name = "Insolvenzberatung mit Fragen", scope = new { serviceId = ReferralTestApp.InsolvencyService },
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data", "referral-reason" }, defaultFeedbackLevel = "outcome" },
                new { kind = "intake", questions = new[]
                {
                    new { id = "wohnsituation", text = Housing, required = true, category = "referral-reason" },
                    new { id = "erreichbarkeit", text = Reachable, required = false, category = "contact-data" },
                } },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 2 }, escalationWorkingDays = 10, escalationTarget = "Teamleitung" },
            },
        });
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    private static object Draft(object? answers, string[]? shared = null, string caseRef = "AZ-2026/0100") => new
    {
        caseReference = caseRef, serviceId = ReferralTestApp.InsolvencyService, reason = "Mietschulden", urgency = "normal",
        sharedCategories = shared ?? new[] { "contact-data", "referral-reason" }, contactDetails = "Tel. 0151 000000",
        intakeAnswers = answers,
    };

    private static async Task<Guid> CreatedAsync(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await ReferralTestApp.ReadAsync(response)).GetProperty("id").GetGuid();
    }

    private static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        return (await ReferralTestApp.ReadAsync(response)).GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }

    [Fact]
    public async Task Answers_are_stored_with_the_question_as_asked_and_shown_to_the_Fallmanager()
    {
        await RouteWithQuestionsAsync();
        var fm = await app.ClientFor("fm.mueller");
        var id = await CreatedAsync(await fm.PostAsJsonAsync("/api/referrals",
            Draft(new Dictionary<string, string> { ["wohnsituation"] = " Zur Untermiete, Kündigung droht ", ["erreichbarkeit"] = "vormittags" })));

        var detail = await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{id}");
        var answers = detail.GetProperty("intakeAnswers").EnumerateArray().ToArray();
        answers.Select(a => (a.GetProperty("questionId").GetString(), a.GetProperty("question").GetString(), a.GetProperty("category").GetString(), a.GetProperty("answer").GetString()))
            .ShouldBe([("wohnsituation", Housing, "referral-reason", "Zur Untermiete, Kündigung droht"), ("erreichbarkeit", Reachable, "contact-data", "vormittags")]);
        (await app.CountAsync($"SELECT count(*) FROM referrals.referrals WHERE id = '{id}' AND intake_answers @> '[{{\"questionId\":\"wohnsituation\",\"question\":\"{Housing}\"}}]'"))
            .ShouldBe(1);

        var page = WebUtility.HtmlDecode(await (await app.CookieClientAsync("fm.mueller")).GetStringAsync($"/verweisungen/{id}"));
        page.ShouldContain("data-intake-answers");
        page.ShouldContain("Zur Untermiete, Kündigung droht");
    }

    [Fact]
    public async Task Unknown_question_too_long_answer_and_missing_required_answer_are_refused_and_nothing_is_stored()
    {
        await RouteWithQuestionsAsync();
        var fm = await app.ClientFor("fm.mueller");
        var before = await app.CountAsync("SELECT count(*) FROM referrals.referrals");

        (await ErrorsAsync(await fm.PostAsJsonAsync("/api/referrals", Draft(new Dictionary<string, string> { ["wohnsituation"] = "Wohnung", ["schufa"] = "ja" }))))
            .Keys.ShouldBe(["intakeAnswers.schufa"]);
        (await ErrorsAsync(await fm.PostAsJsonAsync("/api/referrals", Draft(new Dictionary<string, string> { ["wohnsituation"] = new string('x', 2001) }))))
            ["intakeAnswers.wohnsituation"].ShouldBe(["Die Antwort darf höchstens 2000 Zeichen lang sein."]);
        var missing = await ErrorsAsync(await fm.PostAsJsonAsync("/api/referrals", Draft(new Dictionary<string, string> { ["erreichbarkeit"] = "abends" })));
        missing["intakeAnswers.wohnsituation"].ShouldBe([$"Bitte beantworten Sie die Pflichtfrage „{Housing}“."]);
        // Reported together with the other fields, not one after the other.
        var both = await ErrorsAsync(await fm.PostAsJsonAsync("/api/referrals", new
        {
            caseReference = "", serviceId = ReferralTestApp.InsolvencyService, reason = "Mietschulden", sharedCategories = new[] { "referral-reason" },
        }));
        both.Keys.Order().ShouldBe(["caseReference", "intakeAnswers.wohnsituation"]);
        (await app.CountAsync("SELECT count(*) FROM referrals.referrals")).ShouldBe(before);
    }

    [Fact]
    public async Task The_partner_sees_only_answers_within_the_consent_and_never_the_question_of_the_others()
    {
        await RouteWithQuestionsAsync();
        // A version written before the composer checked that every question's category is one the consent requires (or
        // by hand): its health question is outside the consent the route asks for.
        var key = $"schuldnerberatung:service:{ReferralTestApp.InsolvencyService}";
        const string Health = "Gibt es eine Suchterkrankung?";
        await using (var db = await app.OpenDatabaseAsync())
        {
            await using var insert = db.CreateCommand();
            insert.CommandText = """
                INSERT INTO referrals.routes (category_code, version, name, partner_kind, service_id, steps, created_by)
                SELECT category_code, version + 1, name, partner_kind, service_id, $1::jsonb, 'test'
                FROM referrals.routes WHERE category_code = $2 ORDER BY version DESC LIMIT 1
                """;
            insert.Parameters.Add(new() { Value = JsonSerializer.Serialize(new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data", "referral-reason" }, defaultFeedbackLevel = "outcome" },
                new { kind = "intake", questions = new[] { new { id = "sucht", text = Health, required = false, category = "health-addiction" } } },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 2 }, escalationWorkingDays = 10, escalationTarget = "Teamleitung" },
            }) });
            insert.Parameters.Add(new() { Value = key });
            (await insert.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        var fm = await app.ClientFor("fm.schmidt");
        var id = await CreatedAsync(await fm.PostAsJsonAsync("/api/referrals",
            Draft(new Dictionary<string, string> { ["sucht"] = "Alkohol, in Behandlung" }, caseRef: "AZ-2026/0101")));
        (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{id}")).GetProperty("intakeAnswers").GetArrayLength().ShouldBe(1);
        await app.ConsentAsync(fm, id, categories: ["contact-data", "referral-reason"]);
        await app.SendAsync(fm, id);

        var partner = await app.ClientFor("partner.schuldner");
        var body = await partner.GetStringAsync($"/api/partner/referrals/{id}");
        JsonDocument.Parse(body).RootElement.GetProperty("intakeAnswers").GetArrayLength().ShouldBe(0);
        body.ShouldNotContain("Alkohol");
        body.ShouldNotContain(Health);
        WebUtility.HtmlDecode(await (await app.CookieClientAsync("partner.schuldner")).GetStringAsync($"/partner/verweisungen/{id}")).ShouldNotContain(Health);

        // The current version's questions: the contact answer goes to the partner, the reason answer was not shared.
        var fm2 = await app.ClientFor("fm.mueller");
        await RouteWithQuestionsAsync();
        var shared = await CreatedAsync(await fm2.PostAsJsonAsync("/api/referrals", Draft(
            new Dictionary<string, string> { ["wohnsituation"] = "Obdachlos seit März", ["erreichbarkeit"] = "nur per Brief" },
            shared: ["contact-data"], caseRef: "AZ-2026/0102")));
        var sharedConsent = await app.ConsentAsync(fm2, shared, categories: ["contact-data", "referral-reason"]);
        await app.SendAsync(fm2, shared);
        var seen = await partner.GetStringAsync($"/api/partner/referrals/{shared}");
        var answers = JsonDocument.Parse(seen).RootElement.GetProperty("intakeAnswers").EnumerateArray().ToArray();
        answers.Select(a => (a.GetProperty("question").GetString(), a.GetProperty("answer").GetString())).ShouldBe([(Reachable, "nur per Brief")]);
        seen.ShouldNotContain("Obdachlos");
        seen.ShouldNotContain(Housing);
        var page = WebUtility.HtmlDecode(await (await app.CookieClientAsync("partner.schuldner")).GetStringAsync($"/partner/verweisungen/{shared}"));
        Regex.IsMatch(page, "data-question=\"erreichbarkeit\">nur per Brief<").ShouldBeTrue();
        page.ShouldNotContain(Housing);
        (await app.CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE action = 'referral.read.partner' AND object_id = '{shared}'")).ShouldBeGreaterThanOrEqualTo(2);

        // Revoked: nothing at all.
        (await fm2.PostAsync($"/api/consents/{sharedConsent}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = await partner.GetStringAsync($"/api/partner/referrals/{shared}");
        JsonDocument.Parse(after).RootElement.GetProperty("intakeAnswers").GetArrayLength().ShouldBe(0);
        after.ShouldNotContain(Reachable);
    }

    [Fact]
    public async Task The_form_asks_the_routes_questions_and_keeps_the_answers_when_one_is_refused()
    {
        await RouteWithQuestionsAsync();
        var fm = await app.CookieClientAsync("fm.mueller");
        var raw = await fm.GetStringAsync($"/verweisungen/neu?serviceId={ReferralTestApp.InsolvencyService}");
        var form = WebUtility.HtmlDecode(raw);
        form.ShouldContain($"<label for=\"IntakeAnswers.wohnsituation\">{Housing} (Pflichtfrage)</label>");
        form.ShouldContain($"<label for=\"IntakeAnswers.erreichbarkeit\">{Reachable} (optional)</label>");
        Regex.IsMatch(form, "<textarea id=\"IntakeAnswers.wohnsituation\" name=\"IntakeAnswers\\[wohnsituation\\]\"[^>]*required").ShouldBeTrue();

        Dictionary<string, string> Fields(params (string, string)[] extra)
        {
            var fields = new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = ReferralTestApp.FormToken(raw), ["ServiceId"] = ReferralTestApp.InsolvencyService.ToString(),
                ["CaseReference"] = "AZ-2026/0200", ["Reason"] = "Mietschulden", ["Urgency"] = "normal", ["SharedCategories"] = "referral-reason",
            };
            foreach (var (k, v) in extra) fields[k] = v;
            return fields;
        }

        var refused = await fm.PostAsync("/verweisungen/neu", new FormUrlEncodedContent(Fields(("IntakeAnswers[erreichbarkeit]", "montags"))));
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        html.ShouldContain($"<p class=\"field-error\" id=\"IntakeAnswers.wohnsituation-error\">Bitte beantworten Sie die Pflichtfrage „{Housing}“.</p>");
        html.ShouldContain(">montags</textarea>");

        var saved = await fm.PostAsync("/verweisungen/neu", new FormUrlEncodedContent(Fields(("IntakeAnswers[wohnsituation]", "Wohnung gekündigt"))));
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect, await saved.Content.ReadAsStringAsync());
        var id = Guid.Parse(saved.Headers.Location!.ToString().Split('/').Last());
        var detail = await (await app.ClientFor("fm.mueller")).GetFromJsonAsync<JsonElement>($"/api/referrals/{id}");
        detail.GetProperty("intakeAnswers").EnumerateArray().Select(a => a.GetProperty("answer").GetString()).ShouldBe(["Wohnung gekündigt"]);
    }

    [Fact]
    public async Task Retention_erases_the_answers_of_ended_referrals_and_keeps_those_of_open_ones()
    {
        await RouteWithQuestionsAsync();
        var fm = await app.ClientFor("fm.yilmaz");
        var answers = new Dictionary<string, string> { ["wohnsituation"] = "Frauenhaus" };
        var draft = await CreatedAsync(await fm.PostAsJsonAsync("/api/referrals", Draft(answers, caseRef: "AZ-2026/0300")));
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{draft}/cancel", new { reason = "doppelt angelegt" })).IsSuccessStatusCode.ShouldBeTrue();
        var open = await CreatedAsync(await fm.PostAsJsonAsync("/api/referrals", Draft(answers, caseRef: "AZ-2026/0301")));
        await app.ConsentAsync(fm, open, categories: ["contact-data", "referral-reason"]);
        await app.SendAsync(fm, open);

        using var scope = app.Services.CreateScope();
        var retention = scope.ServiceProvider.GetServices<IRetentionTask>().OfType<ReferralRetention>().Single();
        (await retention.DeleteExpiredAsync(app.Clock.GetUtcNow().AddMinutes(1), CancellationToken.None)).ShouldBeGreaterThanOrEqualTo(1);

        (await app.CountAsync($"SELECT count(*) FROM referrals.referrals WHERE id = '{draft}' AND intake_answers IS NULL AND erased_at IS NOT NULL")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM referrals.referrals WHERE id = '{open}' AND intake_answers::text LIKE '%Frauenhaus%'")).ShouldBe(1);
    }
}
