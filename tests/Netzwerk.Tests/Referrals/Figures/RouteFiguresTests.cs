using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Referrals.Figures;

/// <summary>
/// Issue 16's figures per route: four groups of referrals to the Schuldnerberatung whose partner answers at once, after the
/// reminder mail, after the escalation, or never (cancelled) — the shares and the median number of prompt mails on
/// /api/figures, the CSV and XLSX exports and /kennzahlen, computed here from what the test created.
/// </summary>
public sealed class RouteFiguresTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private const int PerGroup = 5;
    private static readonly CultureInfo De = CultureInfo.GetCultureInfo("de-DE");

    private async Task<DateTimeOffset> DueAtAsync(Guid referral, string kind)
    {
        await using var db = await app.OpenDatabaseAsync();
        var at = await Eventually.UntilAsync(() => db.QuerySingleOrDefaultAsync<DateTime?>(
            "SELECT due_at FROM workflows.deadlines WHERE subject_id = @referral AND kind = @kind AND fired_at IS NULL AND cancelled_at IS NULL",
            new { referral, kind }), d => d is not null);
        at.ShouldNotBeNull($"deadline {kind}");
        return new DateTimeOffset(DateTime.SpecifyKind(at.Value, DateTimeKind.Utc));
    }

    private async Task MoveToAsync(DateTimeOffset at, IEnumerable<Guid> referrals, string firedKind)
    {
        app.Clock.Advance(at - app.Clock.GetUtcNow());
        await using var db = await app.OpenDatabaseAsync();
        var ids = referrals.ToArray();
        var fired = await Eventually.UntilAsync(() => db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM workflows.deadlines WHERE subject_id = ANY(@ids) AND kind = @firedKind AND fired_at IS NOT NULL",
            new { ids, firedKind }), n => n == ids.Length);
        fired.ShouldBe(ids.Length, $"{firedKind} fired");
    }

    [Fact]
    public async Task Shares_per_route_and_the_median_number_of_prompts_follow_the_partners_answers()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var otherTeam = await app.ClientFor("fm.yilmaz"); // every token before the clock moves (they are checked against the real time)
        (await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", new
        {
            name = "Schuldnerberatung mit E-Mail-Erinnerungen",
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data", "referral-reason" }, defaultFeedbackLevel = "attendance" },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 3 }, escalationWorkingDays = 10, escalationTarget = "Teamleitung" },
                new { kind = "partner-prompts", reminder = true, overdue = true, attendance = false, endNotice = true },
            },
        })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var groups = new Dictionary<string, List<Guid>> { ["before-deadline"] = [], ["after-reminder"] = [], ["overdue"] = [], ["never"] = [] };
        foreach (var g in groups.Values)
            for (var i = 0; i < PerGroup; i++) g.Add(await app.SentReferralAsync(fm));
        async Task AcceptAsync(IEnumerable<Guid> ids)
        {
            foreach (var id in ids)
                (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept", new { appointmentAt = (DateTimeOffset?)null }))
                    .StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await AcceptAsync(groups["before-deadline"]);
        var silent = groups["after-reminder"].Concat(groups["overdue"]).Concat(groups["never"]).ToList();
        await MoveToAsync((await DueAtAsync(silent[0], DeadlineKinds.Reminder)).AddMinutes(1), silent, DeadlineKinds.Reminder);
        await AcceptAsync(groups["after-reminder"]);
        var stillSilent = groups["overdue"].Concat(groups["never"]).ToList();
        await MoveToAsync((await DueAtAsync(stillSilent[0], DeadlineKinds.Escalation)).AddMinutes(1), stillSilent, DeadlineKinds.Escalation);
        await AcceptAsync(groups["overdue"]);
        foreach (var id in groups["never"])
            (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{id}/cancel", new { reason = "Person ist verzogen" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        // What to expect, from what happened: the prompt mails queued per referral (the prompt log), their median.
        var all = groups.Values.SelectMany(g => g).ToArray();
        await using var db = await app.OpenDatabaseAsync();
        var perReferral = await Eventually.UntilAsync(async () => (await db.QueryAsync<(Guid Id, long N)>(
                "SELECT r, (SELECT count(*) FROM referrals.partner_prompts p WHERE p.referral_id = r AND p.outcome = 'queued') FROM unnest(@all) r",
                new { all })).ToDictionary(x => x.Id, x => x.N),
            d => groups["never"].All(id => d[id] >= 3)); // reminder, overdue notice, end notice
        var counts = perReferral.Values.Order().ToList();
        var median = (counts[(counts.Count - 1) / 2] + counts[counts.Count / 2]) / 2.0;
        counts.Distinct().Count().ShouldBeGreaterThan(1); // the median tells groups apart
        string Share(int n) => ((double)n / all.Length).ToString("P1", De);

        var expected = new[]
        {
            all.Length.ToString(CultureInfo.InvariantCulture),
            Share(groups["before-deadline"].Count), Share(groups["after-reminder"].Count), Share(groups["overdue"].Count),
            Share(groups["never"].Count), Share(0), median.ToString("0.#", De),
        };
        var report = await Eventually.UntilAsync(async () => await coordinator.GetFromJsonAsync<JsonElement>("/api/figures"),
            r => RouteRow(r) is { } row && Cells(row).SequenceEqual(expected));
        var shown = RouteRow(report);
        shown.ShouldNotBeNull();
        Cells(shown.Value).ShouldBe(expected);
        shown.Value.GetProperty("labels")[0].GetString().ShouldBe("Schuldnerberatung mit E-Mail-Erinnerungen");

        // The same cells in the CSV and the XLSX.
        var csv = Encoding.UTF8.GetString(await coordinator.GetByteArrayAsync("/api/figures/csv?table=routes")).TrimStart('\uFEFF');
        csv.Split("\r\n")[1].ShouldBe(string.Join(';', expected.Prepend("Schuldnerberatung mit E-Mail-Erinnerungen").Select(Csv)));
        using (var xlsx = SpreadsheetDocument.Open(new MemoryStream(await coordinator.GetByteArrayAsync("/api/figures/xlsx")), false))
        {
            var part = xlsx.WorkbookPart!;
            var sheet = part.Workbook.Descendants<Sheet>().Single(s => s.Name!.Value!.StartsWith("Antworten je Weg"));
            var text = string.Join("|", ((WorksheetPart)part.GetPartById(sheet.Id!)).Worksheet.Descendants<Cell>().Select(c => CellText(part, c)));
            foreach (var cell in expected) text.ShouldContain(cell);
        }

        // A Fallmanager of another team counts none of them: the table is empty for her.
        var other = await otherTeam.GetFromJsonAsync<JsonElement>("/api/figures");
        RouteRow(other).ShouldBeNull();
    }

    private static JsonElement? RouteRow(JsonElement report)
    {
        var rows = report.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "routes").GetProperty("rows").EnumerateArray();
        return rows.Where(r => r.GetProperty("key").GetString() == "schuldnerberatung").Select(r => (JsonElement?)r).FirstOrDefault();
    }

    private static string[] Cells(JsonElement row) => row.GetProperty("cells").EnumerateArray().Select(c => c.GetProperty("text").GetString()!).ToArray();

    private static string Csv(string field) => field.IndexOfAny([';', '"', '\n']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;

    private static string CellText(WorkbookPart part, Cell cell) => cell.DataType?.Value == CellValues.SharedString
        ? part.SharedStringTablePart!.SharedStringTable.ElementAt(int.Parse(cell.InnerText)).InnerText
        : cell.InlineString?.InnerText ?? cell.InnerText;
}

/// <summary>The route table as a section of /kennzahlen in Chromium: labelled, accessible, small groups hidden.</summary>
public sealed class RouteFiguresBrowserTests(Ui.ReferralUiApp app, Browser browser) : IClassFixture<Ui.ReferralUiApp>, IClassFixture<Browser>
{
    [Fact]
    public async Task The_route_table_is_a_section_of_the_figures_page_with_small_groups_hidden()
    {
        await app.SentReferralAsync("fm.mueller", "BG-ROUTE-1");
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "nk.hoffmann");
        await page.GotoAsync("/kennzahlen");
        var section = page.Locator("[data-section=routes]");
        (await section.Locator("h2").TextContentAsync()).ShouldBe("Antworten je Weg (Partnerart)");
        var row = section.Locator("tr[data-key=schuldnerberatung]");
        (await row.Locator("td").First.TextContentAsync()).ShouldBe("< 5");
        (await row.Locator("td").Last.TextContentAsync()).ShouldBe("–");
        (await section.Locator("a[data-export=csv-routes]").CountAsync()).ShouldBe(1);
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty("/kennzahlen");
    }
}
