using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Retention;
using Netzwerk.Referrals.Retention;

namespace Netzwerk.Tests.Referrals.Figures;

/// <summary>
/// Wirkungskontrolle against the real PostgreSQL and RabbitMQ: eleven referrals with a known course — nine to the
/// Schuldnerberatung (seven accepted, two declined for lack of capacity; six attended, five completed) by fm.mueller,
/// two unanswered to the Suchtberatung by fm.yilmaz — and what each role may see of them.
/// </summary>
public sealed class FiguresTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static readonly Dictionary<ReferralTestApp, List<Guid>> Scenarios = [];

    private async Task<List<Guid>> ScenarioAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (Scenarios.TryGetValue(app, out var done)) return done;
            var fm = await app.ClientFor("fm.mueller");
            var partner = await app.ClientFor("partner.schuldner");
            var ids = new List<Guid>();
            for (var i = 0; i < 9; i++) ids.Add(await app.SentReferralAsync(fm, level: "outcome"));
            async Task Partner(Guid id, string step, object body)
                => (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/{step}", body)).StatusCode.ShouldBe(HttpStatusCode.OK);
            for (var i = 0; i < 7; i++) await Partner(ids[i], "accept", new { appointmentAt = app.Clock.GetUtcNow().AddHours(-1) });
            for (var i = 7; i < 9; i++) await Partner(ids[i], "decline", new { reasonCode = "no-capacity" });
            for (var i = 0; i < 6; i++) await Partner(ids[i], "attendance", new { attended = true });
            for (var i = 0; i < 5; i++)
                (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{ids[i]}/close", new { outcome = "completed", reasonCode = "completed-with-result" }))
                    .StatusCode.ShouldBe(HttpStatusCode.OK);
            var yilmaz = await app.ClientFor("fm.yilmaz");
            for (var i = 0; i < 2; i++) ids.Add(await app.SentReferralAsync(yilmaz, ReferralTestApp.AddictionService));
            Scenarios[app] = ids;
            return ids;
        }
        finally { Once.Release(); }
    }

    private async Task<JsonElement> FiguresAsync(string user, string query = "")
    {
        var response = await (await app.ClientFor(user)).GetAsync("/api/figures" + query);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static JsonElement Row(JsonElement report, string table, string key)
        => report.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("id").GetString() == table)
            .GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == key);

    private static string Cell(JsonElement report, string table, string key, int column = 0)
        => Row(report, table, key).GetProperty("cells")[column].GetProperty("text").GetString()!;

    [Fact]
    public async Task The_funnel_counts_the_referrals_and_small_groups_stay_hidden_also_under_narrower_filters()
    {
        var ids = await ScenarioAsync();
        var all = await FiguresAsync("nk.hoffmann");
        all.GetProperty("withheld").GetBoolean().ShouldBeFalse();
        Cell(all, "funnel", "S1").ShouldBe("11");
        // the fact rows follow the lifecycle
        await using (var db = await app.OpenDatabaseAsync())
        {
            var facts = (await db.QueryAsync<(Guid Id, short Stage, string? Drop, string Rc)>(
                "SELECT referral_id, stage, drop_reason, response_class FROM referrals.referral_facts WHERE referral_id = ANY(@ids)", new { ids = ids.ToArray() }))
                .ToDictionary(x => x.Id);
            facts.Count.ShouldBe(11);
            facts[ids[0]].ShouldBe((ids[0], (short)4, null, "before-deadline"));
            facts[ids[5]].Stage.ShouldBe((short)3);
            facts[ids[6]].Stage.ShouldBe((short)2);
            facts[ids[7]].ShouldBe((ids[7], (short)1, "declined:no-capacity", "before-deadline"));
            facts[ids[10]].ShouldBe((ids[10], (short)1, null, "pending"));
        }

        // 2 to the Suchtberatung: hidden; the 9 beside them would give the 2 away from the total 11, so they are hidden too
        var byKind = await FiguresAsync("nk.hoffmann", "?by=kind");
        Cell(byKind, "breakdown", "suchtberatung").ShouldBe("< 5");
        Cell(byKind, "breakdown", "schuldnerberatung").ShouldBe("< 5");
        Cell(byKind, "breakdown", "total").ShouldBe("11");
        // … and narrowing the filter onto either does not show them
        foreach (var kind in new[] { "suchtberatung", "schuldnerberatung" })
        {
            var narrow = await FiguresAsync("nk.hoffmann", $"?kind={kind}");
            Cell(narrow, "funnel", "S1").ShouldBe("< 5", kind);
            narrow.GetProperty("withheld").GetBoolean().ShouldBeTrue(kind);
        }
        // the two declines for lack of capacity are a small group in the drops and in the gaps
        Cell(all, "drops", "1:declined:no-capacity").ShouldBe("< 5");
        Cell(all, "gaps", "total").ShouldBe("< 5");
        Cell(all, "responses", "pending").ShouldBe("< 5");

        var text = all.GetRawText();
        text.ShouldNotContain("AZ-2026/0001");
        foreach (var id in ids) text.ShouldNotContain(id.ToString());
        foreach (var user in new[] { "fm.mueller", "fm.yilmaz", "Müller", "Yılmaz" }) text.ShouldNotContain(user);

        // retention erases the client data of the ended referrals; the figures stay exactly as they were
        using (var scope = app.Services.CreateScope())
        {
            var task = scope.ServiceProvider.GetServices<IRetentionTask>().OfType<ReferralRetention>().Single();
            (await task.DeleteExpiredAsync(app.Clock.GetUtcNow().AddMinutes(1), CancellationToken.None)).ShouldBeGreaterThanOrEqualTo(7);
        }
        (await FiguresAsync("nk.hoffmann")).GetRawText().ShouldBe(text);
    }

    [Fact]
    public async Task Each_role_sees_only_its_scope()
    {
        await ScenarioAsync();
        Cell(await FiguresAsync("tl.weber"), "funnel", "S1").ShouldBe("11");
        Cell(await FiguresAsync("admin"), "funnel", "S1").ShouldBe("11");
        var mueller = await FiguresAsync("fm.mueller");
        Cell(mueller, "funnel", "S1").ShouldBe("9");
        mueller.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "breakdown")
            .GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("key").GetString()).ShouldBe(["schuldnerberatung", "total"]);
        var yilmaz = await FiguresAsync("fm.yilmaz");
        Cell(yilmaz, "funnel", "S1").ShouldBe("< 5");
        yilmaz.GetProperty("withheld").GetBoolean().ShouldBeTrue();
        Cell(await FiguresAsync("partner.schuldner"), "funnel", "S1").ShouldBe("9");
        Cell(await FiguresAsync("partner.sucht"), "funnel", "S1").ShouldBe("< 5");
        // a partner cannot widen its scope by filtering on another organisation
        var other = await FiguresAsync("partner.sucht", $"?partner={Netzwerk.Platform.Identity.DemoUsers.Organizations.DebtCounsellingKamenz}");
        Cell(other, "funnel", "S1").ShouldBe("0");

        (await (await app.ClientFor("ds.becker")).GetAsync("/api/figures")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await app.ClientFor("ds.becker")).GetAsync("/kennzahlen")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var bad = await (await app.ClientFor("nk.hoffmann")).GetAsync("/api/figures?period=2026-Q5&partner=x");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await bad.Content.ReadAsStringAsync();
        problem.ShouldContain("\"period\"");
        problem.ShouldContain("Quartal");
    }

    [Fact]
    public async Task Csv_and_xlsx_exports_equal_the_page()
    {
        await ScenarioAsync();
        var coordinator = await app.ClientFor("nk.hoffmann");
        const string query = "by=kind";
        var html = await coordinator.GetStringAsync("/kennzahlen?" + query);
        var xlsx = await coordinator.GetByteArrayAsync("/api/figures/xlsx?" + query);
        using var doc = SpreadsheetDocument.Open(new MemoryStream(xlsx), false);
        var sheets = doc.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().ToList();
        var tables = Regex.Matches(html, "<table data-table=\"([a-z]+)\".*?</table>", RegexOptions.Singleline);
        tables.Count.ShouldBe(8); // with "Antworten je Weg"
        for (var t = 0; t < tables.Count; t++)
        {
            var id = tables[t].Groups[1].Value;
            var page = Regex.Matches(tables[t].Value, "<tr.*?</tr>", RegexOptions.Singleline)
                .Select(tr => Regex.Matches(tr.Value, "<t[hd][^>]*>(.*?)</t[hd]>", RegexOptions.Singleline)
                    .Select(c => WebUtility.HtmlDecode(c.Groups[1].Value).Trim()).ToList()).ToList();
            var csv = (await coordinator.GetStringAsync($"/api/figures/csv?{query}&table={id}")).TrimStart('\uFEFF')
                .Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(';').Select(f => f.Trim('"')).ToList()).ToList();
            csv.ShouldBe(page, $"CSV of {id}");
            var part = (WorksheetPart)doc.WorkbookPart.GetPartById(sheets[t].Id!);
            var sheet = part.Worksheet.Descendants<Row>().Select(r => r.Elements<Cell>().Select(c => c.InnerText).ToList()).ToList();
            sheet.ShouldBe(page, $"XLSX of {id}");
        }
        html.ShouldContain("< 5".Replace("<", "&lt;"));
    }
}
