using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Shouldly;
using Xunit;

namespace Netzwerk.Tests.Referrals.Routes;

/// <summary>
/// Moving running referrals to a newer route version, against the real PostgreSQL: timers kept with their id, rescheduled
/// or added exactly as the plan says, one history and one audit entry, nothing twice on a repeated request, nothing written
/// by the preview or by a refused request.
/// </summary>
public sealed class MoveToVersionTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private static readonly string Key = $"schuldnerberatung:service:{ReferralTestApp.DebtService}";

    private sealed record Row(Guid Id, string Kind, DateTimeOffset DueAt, string? Detail, bool Open);

    private static object Route(int escalation, int? closeAfter)
    {
        var steps = new List<object>
        {
            new { kind = "consent", requiredCategories = new[] { "contact-data" }, defaultFeedbackLevel = "attendance" },
            new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 3 }, escalationWorkingDays = escalation, escalationTarget = Roles.TeamLead },
            new { kind = "attendance", workingDaysAfterAppointment = 2 },
        };
        if (closeAfter is { } days) steps.Add(new { kind = "close-proposal", afterWorkingDaysWithoutNews = days });
        return new { name = "Schuldnerberatung Kamenz", scope = new { serviceId = ReferralTestApp.DebtService }, steps };
    }

    private async Task<List<Row>> DeadlinesAsync(Guid referral)
    {
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT id, kind, due_at, detail, fired_at IS NULL AND cancelled_at IS NULL FROM workflows.deadlines WHERE subject_id = $1 ORDER BY id";
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = referral });
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<Row>();
        while (await reader.ReadAsync())
            rows.Add(new Row(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetBoolean(4)));
        return rows;
    }

    private async Task<DateTimeOffset> SentAtAsync(Guid referral)
    {
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT sent_at FROM referrals.referrals WHERE id = '{referral}'";
        await using var reader = await cmd.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    private Task<long> WrittenAsync(Guid referral) => app.CountAsync($"""
        SELECT (SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{referral}')
             + (SELECT count(*) FROM workflows.deadlines WHERE subject_id = '{referral}' AND cancelled_at IS NOT NULL)
             + (SELECT count(*) FROM referrals.history WHERE referral_id = '{referral}')
             + (SELECT count(*) FROM platform.audit_entries WHERE action = 'route.migrate')
             + (SELECT route_version FROM referrals.referrals WHERE id = '{referral}')
        """);

    [Fact]
    public async Task A_sent_referral_moves_to_a_new_version_keeping_its_timers_and_a_repeated_move_changes_nothing()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var fm = await app.ClientFor("fm.mueller");
        (await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", Route(10, null))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var referral = await app.SentReferralAsync(fm, ReferralTestApp.DebtService);
        var closed = await app.SentReferralAsync(fm, ReferralTestApp.DebtService);
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{closed}/cancel", new { reason = "Kundin ist umgezogen" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var v2 = await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", Route(15, 20));
        v2.StatusCode.ShouldBe(HttpStatusCode.OK, await v2.Content.ReadAsStringAsync());
        (await ReferralTestApp.ReadAsync(v2)).GetProperty("version").GetInt32().ShouldBe(2);

        var sentAt = await SentAtAsync(referral);
        var before = await DeadlinesAsync(referral);
        before.Where(d => d.Open).Select(d => d.Kind).Order().ShouldBe(["escalation", "partner-response", "reminder"]);

        // The list shows the running referral on version 1, without client data; not the closed one.
        var running = await coordinator.GetFromJsonAsync<JsonElement[]>($"/api/routes/{Uri.EscapeDataString(Key)}/running");
        var listed = running!.Single(r => r.GetProperty("referralId").GetGuid() == referral);
        listed.GetProperty("version").GetInt32().ShouldBe(1);
        listed.GetProperty("status").GetString().ShouldBe("requested");
        listed.GetProperty("serviceName").GetString().ShouldNotBeNullOrWhiteSpace();
        listed.TryGetProperty("caseReference", out _).ShouldBeFalse();
        running!.ShouldNotContain(r => r.GetProperty("referralId").GetGuid() == closed);

        // The preview tells what changes and writes nothing.
        var written = await WrittenAsync(referral);
        var preview = await ReferralTestApp.PostAsync(coordinator, $"/api/routes/{Uri.EscapeDataString(Key)}/migrations/preview",
            new { toVersion = 2, referralIds = new[] { referral } });
        preview.StatusCode.ShouldBe(HttpStatusCode.OK, await preview.Content.ReadAsStringAsync());
        var planned = (await ReferralTestApp.ReadAsync(preview)).GetProperty("referrals")[0];
        planned.GetProperty("result").GetString().ShouldBe("planned");
        var sentences = planned.GetProperty("sentences").EnumerateArray().Select(s => s.GetString()!).ToList();
        sentences.ShouldContain(s => s.StartsWith("Die Eskalation") && s.Contains("neu fällig"));
        sentences.ShouldContain(s => s.StartsWith("Neu: der Abschlussvorschlag"));
        (await WrittenAsync(referral)).ShouldBe(written);
        (await DeadlinesAsync(referral)).ShouldBe(before);

        // The move.
        var move = await ReferralTestApp.PostAsync(coordinator, $"/api/routes/{Uri.EscapeDataString(Key)}/migrations",
            new { toVersion = 2, referralIds = new[] { referral } });
        move.StatusCode.ShouldBe(HttpStatusCode.OK, await move.Content.ReadAsStringAsync());
        var moved = (await ReferralTestApp.ReadAsync(move)).GetProperty("referrals")[0];
        moved.GetProperty("result").GetString().ShouldBe("moved");
        moved.GetProperty("fromVersion").GetInt32().ShouldBe(1);

        var after = await DeadlinesAsync(referral);
        var open = after.Where(d => d.Open).ToList();
        foreach (var kind in new[] { "partner-response", "reminder" })
            open.Single(d => d.Kind == kind).ShouldBe(before.Single(d => d.Kind == kind));
        var oldEscalation = after.Single(d => d.Id == before.Single(b => b.Kind == "escalation").Id);
        oldEscalation.Open.ShouldBeFalse();
        var escalation = open.Single(d => d.Kind == "escalation");
        escalation.Id.ShouldNotBe(oldEscalation.Id);
        escalation.DueAt.ShouldBe(WorkingDays.Add(sentAt, 15));
        escalation.Detail.ShouldBe(Roles.TeamLead);
        open.Single(d => d.Kind == "close-proposal").DueAt.ShouldBe(WorkingDays.Add(sentAt, 20));
        open.Count.ShouldBe(4);
        (await app.CountAsync($"SELECT route_version FROM referrals.referrals WHERE id = '{referral}'")).ShouldBe(2);
        (await app.CountAsync($"SELECT count(*) FROM referrals.history WHERE referral_id = '{referral}' AND event = 'RouteVersionChanged' AND detail = '2'")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE action = 'route.migrate' AND object_id = '{referral}'")).ShouldBe(1);

        // The same request again: reported unchanged, the same deadline rows, no second history or audit entry.
        written = await WrittenAsync(referral);
        var again = await ReferralTestApp.PostAsync(coordinator, $"/api/routes/{Uri.EscapeDataString(Key)}/migrations",
            new { toVersion = 2, referralIds = new[] { referral } });
        again.StatusCode.ShouldBe(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        (await ReferralTestApp.ReadAsync(again)).GetProperty("referrals")[0].GetProperty("result").GetString().ShouldBe("unchanged");
        (await DeadlinesAsync(referral)).ShouldBe(after);
        (await WrittenAsync(referral)).ShouldBe(written);

        // Refused, in German, with nothing written: a closed referral, an older or unknown target, no or too many ids.
        async Task RefusedAsync(object body, HttpStatusCode status)
        {
            var before = await WrittenAsync(referral);
            var response = await ReferralTestApp.PostAsync(coordinator, $"/api/routes/{Uri.EscapeDataString(Key)}/migrations", body);
            response.StatusCode.ShouldBe(status, await response.Content.ReadAsStringAsync());
            (await ReferralTestApp.ReadAsync(response)).GetProperty("detail").GetString()!.ShouldContain("Verweis");
            (await WrittenAsync(referral)).ShouldBe(before);
        }
        await RefusedAsync(new { toVersion = 2, referralIds = new[] { closed } }, HttpStatusCode.Conflict);
        await RefusedAsync(new { toVersion = 1, referralIds = new[] { referral } }, HttpStatusCode.UnprocessableEntity);
        await RefusedAsync(new { toVersion = 2, referralIds = new[] { referral, closed } }, HttpStatusCode.Conflict);
        var unknown = await ReferralTestApp.PostAsync(coordinator, $"/api/routes/{Uri.EscapeDataString(Key)}/migrations", new { toVersion = 7, referralIds = new[] { referral } });
        unknown.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await ReferralTestApp.PostAsync(coordinator, $"/api/routes/{Uri.EscapeDataString(Key)}/migrations", new { toVersion = 2, referralIds = Array.Empty<Guid>() }))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ReferralTestApp.PostAsync(coordinator, $"/api/routes/{Uri.EscapeDataString(Key)}/migrations",
            new { toVersion = 2, referralIds = Enumerable.Range(0, 201).Select(_ => Guid.NewGuid()).ToArray() })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        // A referral of another route (the partner kind's own route) is not moved onto this one.
        var other = await app.SentReferralAsync(fm, ReferralTestApp.InsolvencyService);
        (await ReferralTestApp.PostAsync(coordinator, $"/api/routes/{Uri.EscapeDataString(Key)}/migrations", new { toVersion = 2, referralIds = new[] { other } }))
            .StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        // Only the Netzwerkkoordination moves referrals.
        (await ReferralTestApp.PostAsync(fm, $"/api/routes/{Uri.EscapeDataString(Key)}/migrations", new { toVersion = 2, referralIds = new[] { referral } }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_coordinator_previews_and_moves_a_referral_on_the_route_page()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var fm = await app.ClientFor("fm.schmidt");
        var key = $"suchtberatung:service:{ReferralTestApp.AddictionService}";
        object Steps(int escalation) => new
        {
            name = "Suchtberatung Bautzen", scope = new { serviceId = ReferralTestApp.AddictionService },
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data" }, defaultFeedbackLevel = "attendance" },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 3 }, escalationWorkingDays = escalation, escalationTarget = Roles.TeamLead },
            },
        };
        (await coordinator.PutAsJsonAsync("/api/routes/suchtberatung", Steps(10))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var referral = await app.SentReferralAsync(fm, ReferralTestApp.AddictionService);
        (await coordinator.PutAsJsonAsync("/api/routes/suchtberatung", Steps(12))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var browser = await app.CookieClientAsync("nk.hoffmann");
        var route = await browser.GetStringAsync($"/wege/weg?weg={Uri.EscapeDataString(key)}");
        route.ShouldContain("Laufende Verweisungen auf älteren Versionen");
        route.ShouldContain($"value=\"{referral}\"");
        route.ShouldNotContain("AZ-2026");

        var preview = await browser.GetStringAsync($"/wege/umstellen?weg={Uri.EscapeDataString(key)}&version=2&ids={referral}");
        WebUtility.HtmlDecode(preview).ShouldContain("Die Eskalation an Teamleitung nach 12 Arbeitstagen: neu fällig");
        preview.ShouldContain("Verweisungen umstellen");
        (await app.CountAsync($"SELECT route_version FROM referrals.referrals WHERE id = '{referral}'")).ShouldBe(1);

        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = ReferralTestApp.FormToken(preview), ["Weg"] = key, ["Version"] = "2", ["Ids"] = referral.ToString(),
        };
        var posted = await browser.PostAsync("/wege/umstellen", new FormUrlEncodedContent(form));
        posted.StatusCode.ShouldBe(HttpStatusCode.OK);
        var done = WebUtility.HtmlDecode(await posted.Content.ReadAsStringAsync());
        done.ShouldContain("1 Verweisung umgestellt: Sie folgt jetzt Version 2.");
        (await app.CountAsync($"SELECT route_version FROM referrals.referrals WHERE id = '{referral}'")).ShouldBe(2);

        // Without the antiforgery token nothing is moved.
        form.Remove("__RequestVerificationToken");
        (await browser.PostAsync("/wege/umstellen", new FormUrlEncodedContent(form))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
