using System.Net;
using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace Netzwerk.Tests.Referrals.Routes;

/// <summary>The composer (/wege/bearbeiten) and the route page (/wege/weg) over HTTP: messages next to the step, picture and facts.</summary>
public sealed class RoutePagesTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private static Dictionary<string, string> Form(string token, params (string Key, string Value)[] changes)
    {
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Key"] = "jugendamt", ["Name"] = "Jugendamt / ASD",
            ["RequiredCategories"] = "contact-data", ["DefaultFeedbackLevel"] = "outcome",
            ["ResponseWorkingDays"] = "5", ["Reminders"] = "3", ["EscalationWorkingDays"] = "10", ["EscalationTarget"] = "Teamleitung",
            ["UseAttendance"] = "true", ["AttendanceWorkingDays"] = "2",
        };
        foreach (var (key, value) in changes) form[key] = value;
        return form;
    }

    private static string ErrorOf(string page, string field)
    {
        var m = Regex.Match(page, $"<p class=\"field-error\" id=\"{Regex.Escape(field)}-error\">(.*?)</p>", RegexOptions.Singleline);
        m.Success.ShouldBeTrue($"no message for {field} in: {Regex.Match(page, "data-error-summary.*?</div>", RegexOptions.Singleline).Value}");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    [Fact]
    public async Task The_composer_shows_each_message_next_to_its_step_and_saves_a_new_version()
    {
        var coordinator = await app.CookieClientAsync("nk.hoffmann");
        var page = await coordinator.GetStringAsync("/wege/bearbeiten?weg=jugendamt");
        var token = ReferralTestApp.FormToken(page);

        var refused = await coordinator.PostAsync("/wege/bearbeiten", new FormUrlEncodedContent(Form(token, ("EscalationWorkingDays", "4"),
            ("UseProgress", "true"), ("ProgressEveryWeeks", "2"))));
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await refused.Content.ReadAsStringAsync();
        ErrorOf(html, "EscalationWorkingDays").ShouldBe("Schritt 2 (Antwortfrist): Die Eskalation kann nicht vor der Antwortfrist liegen.");
        ErrorOf(html, "step-progress").ShouldContain("Schritt 4 (Fortschrittsberichte)");
        (await app.CountAsync("SELECT count(*) FROM referrals.routes WHERE category_code = 'jugendamt'")).ShouldBe(1);

        var saved = await coordinator.PostAsync("/wege/bearbeiten", new FormUrlEncodedContent(Form(token, ("UseApproval", "true"),
            ("UseIntake", "true"), ("Questions[0].Text", "Ist das Kind in einer Kita?"), ("Questions[0].Category", "contact-data"), ("Questions[0].Required", "true"),
            ("UseGoalReview", "true"), ("GoalReviewEveryMonths", "3"))));
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect, await saved.Content.ReadAsStringAsync());
        var route = await coordinator.GetStringAsync("/wege/weg?weg=jugendamt");
        route.ShouldContain("role=\"img\"");
        route.ShouldContain("Version <span data-version>2</span>");
        route.ShouldContain("Freigabe durch Teamleitung");
        route.ShouldContain("Ist das Kind in einer Kita?");
        route.ShouldContain("prüft alle 3 Monate am Ziel aus dem Kooperationsplan");
        (await coordinator.GetAsync("/wege/weg?weg=jugendamt&version=7")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
