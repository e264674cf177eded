using System.Globalization;
using Dapper;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Npgsql;

namespace Netzwerk.Referrals.Figures;

/// <summary>A published cell: its text as shown ("12", "&lt; 5", "45,0 %", "–") and its number when it may be charted.</summary>
public sealed record FigureCell(string Text, double? Value);

public sealed record FigureRow(string Key, IReadOnlyList<string> Labels, IReadOnlyList<FigureCell> Cells, bool IsTotal = false);

/// <summary>One table exactly as the page shows it; the exports write these rows and nothing else.</summary>
public sealed record FigureTable(string Id, string Title, string Description, IReadOnlyList<string> Columns, IReadOnlyList<FigureRow> Rows);

public sealed record FiguresReport(string Period, string PeriodLabel, string PreviousLabel, string Scope, IReadOnlyDictionary<string, string> Filters,
    string By, bool Withheld, IReadOnlyList<FigureTable> Tables)
{
    public FigureTable Table(string id) => Tables.Single(t => t.Id == id);
}

/// <summary>
/// Wirkungskontrolle: which referrals worked, and if not, why. Reads only <c>referrals.referral_facts</c> (one row per
/// sent referral, kept in the lifecycle's transaction, no personal data) — so the figures survive retention and stay fast
/// over a million referrals. Every count goes through <see cref="SmallCells"/> before it is published.
/// </summary>
public sealed class FiguresReports(NpgsqlDataSource dataSource, Directory.Lookup.IServiceLookup lookup)
{
    private static readonly CultureInfo De = CultureInfo.GetCultureInfo("de-DE");
    private static readonly string[] StageNames = ["", "Gesendet", "Angenommen", "Teilnahme bestätigt", "Erfolgreich abgeschlossen"];
    private static readonly string[] DropStage = ["", "Vor der Annahme", "Nach der Annahme", "Nach der Teilnahme"];

    /// <summary>Partner's answer classes, in the order the table shows them.</summary>
    public static readonly IReadOnlyList<(string Code, string Text)> ResponseClasses =
    [
        ("before-deadline", "Vor Ablauf der Frist"), ("late", "Nach der Frist, ohne Erinnerung"), ("after-reminder", "Nach Erinnerung"),
        ("after-escalation", "Nach Eskalation"), ("never", "Nie beantwortet"), ("pending", "Noch offen"),
    ];
    private static readonly string[] Answered = ["before-deadline", "late", "after-reminder", "after-escalation"];

    private sealed class FactRow
    {
        public bool Cur { get; set; }
        public DateTime Month { get; set; }
        public string Key { get; set; } = "";
        public short Stage { get; set; }
        public string? Reason { get; set; }
        public string Rc { get; set; } = "";
        public long N { get; set; }
    }

    private sealed record Computed(FiguresRequest Request, SmallCells Cells, List<FactRow> Rows);

    public async Task<FiguresReport> BuildAsync(FiguresRequest request, FiguresScope scope, CancellationToken ct)
    {
        // The queries are independent: each on its own pooled connection, at the same time (a quarter over a million
        // referrals is a scan of a hundred thousand fact rows per query).
        async Task<T> On<T>(Func<NpgsqlConnection, Task<T>> query)
        {
            await using var c = await dataSource.OpenConnectionAsync(ct);
            return await query(c);
        }
        var mainTask = On(c => ComputeAsync(c, request, scope, ct));
        var parentTasks = request.Filters.Select(f => (f.Value, Task: On(c => ComputeAsync(c, request.Without(f.Key, f.Key), scope, ct)))).ToList();
        var detailsTask = On(c => DetailsAsync(c, request, scope, ct));
        var routesTask = On(c => RoutesAsync(c, request, scope, ct));
        var main = await mainTask;
        var cells = main.Cells;
        // A filter must not reveal what the wider view hid: each stage of this view is a row of the view without that
        // filter, broken down by its dimension; hidden there means hidden here (before the lines spread it further).
        foreach (var (value, task) in parentTasks)
        {
            var parent = await task;
            foreach (var p in new[] { "c", "p" })
                for (var k = 1; k <= 4; k++)
                    if (parent.Cells.IsHidden($"{p}:row:{value}:S{k}")) cells.Force($"{p}:S{k}");
        }
        var (resp, gaps) = await detailsTask;
        AddDetails(cells, resp, gaps);
        var routes = await routesTask;
        AddRoutes(cells, request, routes);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var labels = await LabelsAsync(conn, request.By, main.Rows.Select(r => r.Key).Distinct().ToList(), ct);
        var kindNames = await LabelsAsync(conn, "kind", gaps.Select(g => g.Category).Concat(routes.Select(x => x.Category)).Distinct().ToList(), ct);
        var withheld = cells.IsHidden("c:S1");
        var tables = new List<FigureTable>
        {
            Funnel(cells),
            Drops(cells, main.Rows),
            Breakdown(cells, request, main.Rows, labels),
            Responses(cells),
            Routes(cells, routes, kindNames),
            Times(cells, resp),
            Gaps(cells, gaps, kindNames),
            Months(cells, main.Rows),
        };
        return new FiguresReport(request.Period, request.PeriodLabel, request.PreviousLabel, scope.Label, request.Filters, request.By, withheld, tables);
    }

    private static (string Sql, DynamicParameters Args) Where(FiguresRequest r, FiguresScope scope, DateOnly from, DateOnly to)
    {
        var args = new DynamicParameters();
        var sql = new List<string> { "sent_at >= @from", "sent_at < @to" };
        args.Add("from", Instant(from));
        args.Add("to", Instant(to));
        if (scope.CaseManagerId is { } cm) { sql.Add("case_manager_id = @cm"); args.Add("cm", cm); }
        if (scope.OrganizationId is { } org) { sql.Add("organization_id = @org"); args.Add("org", org); }
        if (r.Kind is { } k) { sql.Add("category = @kind"); args.Add("kind", k); }
        if (r.Partner is { } p) { sql.Add("organization_id = @partner"); args.Add("partner", p); }
        if (r.Service is { } s) { sql.Add("service_id = @service"); args.Add("service", s); }
        if (r.District is { } d) { sql.Add("district = @district"); args.Add("district", d); }
        if (r.Team is { } t) { sql.Add("team = @team"); args.Add("team", t); }
        if (r.TargetGroup is { } g) { sql.Add("target_group = @targetGroup"); args.Add("targetGroup", g); }
        return (string.Join(" AND ", sql), args);
    }

    private static DateTimeOffset Instant(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, GermanTime.Berlin.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>The counts of the period and the one before, by breakdown key, step, drop reason, answer class and month, as cells and lines.</summary>
    private static async Task<Computed> ComputeAsync(NpgsqlConnection conn, FiguresRequest r, FiguresScope scope, CancellationToken ct)
    {
        var (where, args) = Where(r, scope, r.Previous.Start, r.End);
        args.Add("cur", Instant(r.Start));
        var column = FiguresRequest.Dimensions[r.By].Column;
        var rows = (await conn.QueryAsync<FactRow>(new CommandDefinition($"""
            SELECT sent_at >= @cur AS Cur, sent_month AS Month, {column} AS Key, stage AS Stage, drop_reason AS Reason, response_class AS Rc,
                   count(*) AS N
            FROM referrals.referral_facts WHERE {where}
            GROUP BY 1, 2, 3, 4, 5, 6
            """, args, cancellationToken: ct))).ToList();

        var cells = new SmallCells();
        foreach (var (p, cur) in new[] { ("c", true), ("p", false) })
        {
            var rs = rows.Where(x => x.Cur == cur).ToList();
            long Sum(Func<FactRow, bool> f) => rs.Where(f).Sum(x => x.N);
            for (var k = 1; k <= 4; k++)
            {
                var kk = k;
                cells.Cell($"{p}:S{k}", Sum(x => x.Stage >= kk));
            }
            for (var k = 1; k <= 3; k++)
            {
                var kk = k;
                cells.Cell($"{p}:open{k}", Sum(x => x.Stage == kk && x.Reason is null));
                var reasons = rs.Where(x => x.Stage == kk && x.Reason is not null).Select(x => x.Reason!).Distinct().ToList();
                foreach (var reason in reasons) cells.Cell($"{p}:drop{k}:{reason}", Sum(x => x.Stage == kk && x.Reason == reason));
                cells.Line($"{p}:S{k}", reasons.Select(x => $"{p}:drop{k}:{x}").Append($"{p}:open{k}").Append($"{p}:S{k + 1}"));
            }
            // The breakdown, both periods (the wider view's rows decide what a narrower filter may show).
            foreach (var key in rs.Select(x => x.Key).Distinct())
            {
                for (var k = 1; k <= 4; k++)
                {
                    var kk = k;
                    cells.Cell($"{p}:row:{key}:S{k}", Sum(x => x.Key == key && x.Stage >= kk));
                }
                for (var k = 1; k <= 3; k++)
                {
                    cells.Cell($"{p}:row:{key}:d{k}", cells[$"{p}:row:{key}:S{k}"] - cells[$"{p}:row:{key}:S{k + 1}"]);
                    cells.Line($"{p}:row:{key}:S{k}", [$"{p}:row:{key}:d{k}", $"{p}:row:{key}:S{k + 1}"]);
                }
            }
            for (var k = 1; k <= 4; k++)
                cells.Line($"{p}:S{k}", rs.Select(x => x.Key).Distinct().Select(key => $"{p}:row:{key}:S{k}"));
            // Months (the chart over time).
            foreach (var month in rs.Select(x => x.Month).Distinct())
            {
                var m = month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
                cells.Cell($"{p}:m:{m}:S1", Sum(x => x.Month == month));
                cells.Cell($"{p}:m:{m}:S4", Sum(x => x.Month == month && x.Stage == 4));
                cells.Cell($"{p}:m:{m}:rest", cells[$"{p}:m:{m}:S1"] - cells[$"{p}:m:{m}:S4"]);
                cells.Line($"{p}:m:{m}:S1", [$"{p}:m:{m}:S4", $"{p}:m:{m}:rest"]);
            }
            cells.Line($"{p}:S1", rs.Select(x => x.Month).Distinct().Select(m => $"{p}:m:{m:yyyy-MM}:S1"));
            cells.Line($"{p}:S4", rs.Select(x => x.Month).Distinct().Select(m => $"{p}:m:{m:yyyy-MM}:S4"));
            if (cur)
            {
                foreach (var (code, _) in ResponseClasses) cells.Cell($"c:rc:{code}", Sum(x => x.Rc == code));
                cells.Cell("c:answered", Answered.Sum(a => cells[$"c:rc:{a}"]));
                cells.Line("c:answered", Answered.Select(a => $"c:rc:{a}"));
                cells.Line("c:S1", ["c:answered", "c:rc:never", "c:rc:pending"]);
            }
        }
        return new Computed(r, cells, rows);
    }

    private sealed class Percentiles
    {
        public double[]? R { get; set; }
        public long Rn { get; set; }
        public double[]? A { get; set; }
        public long An { get; set; }
    }

    public sealed class GapRow
    {
        public string Category { get; set; } = "";
        public string District { get; set; } = "";
        public long NoCapacity { get; set; }
        public long Waitlisted { get; set; }
    }

    private const string NoCapacity = "declined:" + ReasonCodes.NoCapacity;

    private static async Task<(Percentiles, List<GapRow>)> DetailsAsync(NpgsqlConnection conn, FiguresRequest r, FiguresScope scope, CancellationToken ct)
    {
        var (where, args) = Where(r, scope, r.Start, r.End);
        var pct = await conn.QuerySingleAsync<Percentiles>(new CommandDefinition($"""
            SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY response_hours) AS R, count(response_hours) AS Rn,
                   percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY appointment_hours) AS A, count(appointment_hours) AS An
            FROM referrals.referral_facts WHERE {where}
            """, args, cancellationToken: ct));
        var gaps = (await conn.QueryAsync<GapRow>(new CommandDefinition($"""
            SELECT category AS Category, district AS District,
                   count(*) FILTER (WHERE drop_reason = '{NoCapacity}') AS NoCapacity, count(*) FILTER (WHERE waitlisted) AS Waitlisted
            FROM referrals.referral_facts WHERE {where} AND (drop_reason = '{NoCapacity}' OR waitlisted)
            GROUP BY 1, 2
            """, args, cancellationToken: ct))).ToList();

        return (pct, gaps);
    }

    public sealed class RouteRow
    {
        public string Category { get; set; } = "";
        public string? Rc { get; set; }
        public long N { get; set; }
        public double? MedianPrompts { get; set; }
    }

    /// <summary>
    /// Per route (the partner kind's route): the referrals by answer class, and — on the route's total row (Rc null) — the
    /// median number of prompt mails a referral needed (<c>prompts</c>, counted from <c>referrals.partner_prompts</c>).
    /// </summary>
    private static async Task<List<RouteRow>> RoutesAsync(NpgsqlConnection conn, FiguresRequest r, FiguresScope scope, CancellationToken ct)
    {
        var (where, args) = Where(r, scope, r.Start, r.End);
        return (await conn.QueryAsync<RouteRow>(new CommandDefinition($"""
            SELECT category AS Category, response_class AS Rc, count(*) AS N,
                   CASE WHEN GROUPING(response_class) = 1 THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY prompts) END AS MedianPrompts
            FROM referrals.referral_facts WHERE {where}
            GROUP BY GROUPING SETS ((category, response_class), (category))
            """, args, cancellationToken: ct))).ToList();
    }

    /// <summary>"Nach Fristablauf oder Eskalation": answered after the deadline, with or without an escalation first.</summary>
    private static readonly string[] Overdue = ["late", "after-escalation"];

    /// <summary>The answer classes of the route table, in its order (overdue joins two of <see cref="ResponseClasses"/>).</summary>
    public static readonly IReadOnlyList<(string Code, string Text)> RouteColumns =
    [
        ("before-deadline", "Vor Ablauf der Frist"), ("after-reminder", "Nach Erinnerung"), ("overdue", "Nach Fristablauf oder Eskalation"),
        ("never", "Nie beantwortet"), ("pending", "Noch offen"),
    ];

    private static void AddRoutes(SmallCells cells, FiguresRequest request, List<RouteRow> routes)
    {
        var categories = routes.Select(x => x.Category).Distinct().ToList();
        foreach (var cat in categories)
        {
            long Of(string code) => routes.Where(x => x.Category == cat && x.Rc == code).Sum(x => x.N);
            foreach (var (code, _) in ResponseClasses) cells.Cell($"r:{cat}:{code}", Of(code));
            cells.Cell($"r:{cat}:overdue", Overdue.Sum(Of));
            cells.Line($"r:{cat}:overdue", Overdue.Select(o => $"r:{cat}:{o}"));
            cells.Cell($"r:{cat}:S1", routes.Where(x => x.Category == cat && x.Rc is null).Sum(x => x.N));
            cells.Line($"r:{cat}:S1", RouteColumns.Select(c => $"r:{cat}:{c.Code}"));
            // The same people as the breakdown's row when it is broken down by partner kind: one cell, in effect.
            if (request.By == "kind") cells.Line($"r:{cat}:S1", [$"c:row:{cat}:S1"]);
        }
        foreach (var (code, _) in ResponseClasses) cells.Line($"c:rc:{code}", categories.Select(cat => $"r:{cat}:{code}"));
        cells.Line("c:S1", categories.Select(cat => $"r:{cat}:S1"));
    }

    private static void AddDetails(SmallCells cells, Percentiles pct, List<GapRow> gaps)
    {
        cells.Cell("c:appt", pct.An);
        cells.Cell("c:noappt", cells["c:S1"] - pct.An);
        cells.Line("c:S1", ["c:appt", "c:noappt"]);
        cells.Cell("c:nocap", gaps.Sum(g => g.NoCapacity));
        cells.Line("c:nocap", Enumerable.Range(1, 3).Select(k => $"c:drop{k}:{NoCapacity}"));
        cells.Cell("c:wait", gaps.Sum(g => g.Waitlisted));
        cells.Cell("c:nowait", cells["c:S1"] - cells["c:wait"]);
        cells.Line("c:S1", ["c:wait", "c:nowait"]);
        foreach (var g in gaps)
        {
            cells.Cell($"g:{g.Category}:{g.District}:nocap", g.NoCapacity);
            cells.Cell($"g:{g.Category}:{g.District}:wait", g.Waitlisted);
        }
        cells.Line("c:nocap", gaps.Select(g => $"g:{g.Category}:{g.District}:nocap"));
        cells.Line("c:wait", gaps.Select(g => $"g:{g.Category}:{g.District}:wait"));
    }

    // ---- tables ----

    private static FigureCell Count(SmallCells c, string key) => new(c.Text(key), c.Value(key));

    private static FigureCell Rate(SmallCells c, string part, string whole)
        => c.Value(part) is { } p && c.Value(whole) is { } w && w > 0 ? new(((double)p / w).ToString("P1", De), Math.Round((double)p / w, 4)) : new("–", null);

    private static FigureCell Change(SmallCells c, string now, string before)
    {
        if (c.Value(now) is not { } n || c.Value(before) is not { } b || b == 0) return new("–", null);
        var change = (double)(n - b) / b;
        return new((change > 0 ? "+" : change < 0 ? "−" : "±") + Math.Abs(change).ToString("P1", De), Math.Round(change, 4));
    }

    private static FigureTable Funnel(SmallCells c) => new("funnel", "Vom Senden bis zum Abschluss",
        "Wie viele gesendete Verweisungen angenommen, wahrgenommen und erfolgreich abgeschlossen wurden, mit der Vorperiode.",
        ["Schritt", "Anzahl", "Anteil an gesendet", "Vorperiode", "Veränderung"],
        Enumerable.Range(1, 4).Select(k => new FigureRow($"S{k}", [StageNames[k]],
            [Count(c, $"c:S{k}"), Rate(c, $"c:S{k}", "c:S1"), Count(c, $"p:S{k}"), Change(c, $"c:S{k}", $"p:S{k}")])).ToList());

    public static string ReasonText(string reason)
    {
        var (kind, code) = reason.IndexOf(':') is var i and > 0 ? (reason[..i], reason[(i + 1)..]) : (reason, "");
        var why = code == "unknown" ? "ohne Grund" : ReasonCodes.German.GetValueOrDefault(code, code);
        return kind switch
        {
            "declined" => $"Vom Partner abgelehnt: {why}",
            "failed" => $"Ohne Erfolg beendet: {why}",
            "cancelled-before-answer" => "Storniert, bevor der Partner antwortete",
            "cancelled" => "Storniert",
            _ => reason,
        };
    }

    private static FigureTable Drops(SmallCells c, List<FactRow> rows)
    {
        var list = new List<FigureRow>();
        for (var k = 1; k <= 3; k++)
        {
            var kk = k;
            foreach (var reason in rows.Where(x => x.Stage == kk && x.Reason is not null).Select(x => x.Reason!).Distinct().OrderBy(x => x, StringComparer.Ordinal))
                list.Add(new FigureRow($"{k}:{reason}", [DropStage[k], ReasonText(reason)], [Count(c, $"c:drop{k}:{reason}"), Count(c, $"p:drop{k}:{reason}")]));
            list.Add(new FigureRow($"{k}:open", [DropStage[k], "Noch offen"], [Count(c, $"c:open{k}"), Count(c, $"p:open{k}")]));
        }
        return new("drops", "Wo und warum Verweisungen enden",
            "Verweisungen, die vor dem erfolgreichen Abschluss endeten, nach dem letzten erreichten Schritt und dem Grund; dazu die noch offenen.",
            ["Schritt", "Grund", "Anzahl", "Vorperiode"], list);
    }

    private static FigureTable Breakdown(SmallCells c, FiguresRequest r, List<FactRow> rows, IReadOnlyDictionary<string, string> labels)
    {
        var label = FiguresRequest.Dimensions[r.By].Label;
        FigureRow Row(string key, string name, string prefix, bool total) => new(key, [name],
        [
            Count(c, $"c:{prefix}S1"), Count(c, $"c:{prefix}S2"), Count(c, $"c:{prefix}S3"), Count(c, $"c:{prefix}S4"),
            Rate(c, $"c:{prefix}S4", $"c:{prefix}S1"), Count(c, $"p:{prefix}S1"),
        ], total);
        var list = rows.Select(x => x.Key).Distinct().Select(k => (Key: k, Name: labels.GetValueOrDefault(k, k)))
            .OrderBy(x => x.Name, StringComparer.Create(De, true)).Select(x => Row(x.Key, x.Name, $"row:{x.Key}:", false)).ToList();
        list.Add(Row("total", "Summe", "", true));
        return new("breakdown", $"Nach {label}", $"Gesendet, angenommen, wahrgenommen und erfolgreich abgeschlossen je {label}.",
            [label, "Gesendet", "Angenommen", "Teilnahme bestätigt", "Erfolgreich abgeschlossen", "Erfolgsquote", "Gesendet (Vorperiode)"], list);
    }

    private static FigureTable Responses(SmallCells c) => new("responses", "Antwort der Partner",
        "Ob der Partner vor Ablauf der Antwortfrist antwortete, erst nach Erinnerung oder Eskalation, oder nie.",
        ["Antwort", "Anzahl", "Anteil"],
        ResponseClasses.Select(x => new FigureRow(x.Code, [x.Text], [Count(c, $"c:rc:{x.Code}"), Rate(c, $"c:rc:{x.Code}", "c:S1")]))
            .Append(new FigureRow("total", ["Summe"], [Count(c, "c:S1"), Rate(c, "c:S1", "c:S1")], true)).ToList());

    private static FigureTable Routes(SmallCells c, List<RouteRow> routes, IReadOnlyDictionary<string, string> kinds)
    {
        // A median over fewer than five referrals would describe one or two of them.
        FigureCell Median(string cat) => routes.FirstOrDefault(x => x.Category == cat && x.Rc is null)?.MedianPrompts is { } m
            && c.Value($"r:{cat}:S1") is >= SmallCells.Threshold ? new(m.ToString("0.#", De), m) : new("–", null);
        var rows = routes.Select(x => x.Category).Distinct().Select(cat => (Cat: cat, Name: kinds.GetValueOrDefault(cat, cat)))
            .OrderBy(x => x.Name, StringComparer.Create(De, true))
            .Select(x => new FigureRow(x.Cat, [x.Name],
                RouteColumns.Select(col => Rate(c, $"r:{x.Cat}:{col.Code}", $"r:{x.Cat}:S1")).Prepend(Count(c, $"r:{x.Cat}:S1")).Append(Median(x.Cat)).ToList()))
            .ToList();
        return new("routes", "Antworten je Weg (Partnerart)",
            "Je Weg der Anteil der gesendeten Verweisungen, die der Partner vor Ablauf der Frist, erst nach einer Erinnerung, nach Fristablauf oder Eskalation oder nie beantwortet hat, und wie viele E-Mail-Aufforderungen an den Partner eine Verweisung im Median brauchte.",
            ["Weg (Partnerart)", "Gesendet", .. RouteColumns.Select(x => x.Text), "Aufforderungen je Verweisung (Median)"], rows);
    }

    public static string Duration(double hours) => hours < 48
        ? hours.ToString("0.#", De) + " Std."
        : (hours / 24).ToString("0.#", De) + " Tage";

    private static FigureTable Times(SmallCells c, Percentiles p)
    {
        // A median over fewer than five people would be one person's answer time.
        FigureCell At(double[]? values, int i, string n) => values is { } v && c.Value(n) is >= SmallCells.Threshold ? new(Duration(v[i]), Math.Round(v[i], 2)) : new("–", null);
        return new("times", "Wie schnell es geht", "Median und 90. Perzentil der Zeit vom Senden bis zur ersten Antwort des Partners und bis zum ersten Termin.",
            ["Zeitspanne", "Median", "90. Perzentil", "Anzahl"],
            [
                new FigureRow("response", ["Bis zur Antwort des Partners"], [At(p.R, 0, "c:answered"), At(p.R, 1, "c:answered"), Count(c, "c:answered")]),
                new FigureRow("appointment", ["Bis zum ersten Termin"], [At(p.A, 0, "c:appt"), At(p.A, 1, "c:appt"), Count(c, "c:appt")]),
            ]);
    }

    private static FigureTable Gaps(SmallCells c, List<GapRow> gaps, IReadOnlyDictionary<string, string> kinds)
    {
        var rows = gaps.Select(g => (g, Kind: kinds.GetValueOrDefault(g.Category, g.Category)))
            .OrderBy(x => x.Kind, StringComparer.Create(De, true)).ThenBy(x => x.g.District, StringComparer.Create(De, true))
            .Select(x => new FigureRow($"{x.g.Category}:{x.g.District}", [x.Kind, x.g.District == "" ? "ohne Angabe" : x.g.District],
                [Count(c, $"g:{x.g.Category}:{x.g.District}:nocap"), Count(c, $"g:{x.g.Category}:{x.g.District}:wait")])).ToList();
        rows.Add(new FigureRow("total", ["Summe", ""], [Count(c, "c:nocap"), Count(c, "c:wait")], true));
        return new("gaps", "Versorgungslücken", "Ablehnungen wegen fehlender Kapazität und Plätze auf der Warteliste, je Partnerart und Landkreis.",
            ["Partnerart", "Landkreis / Bezirk", "Abgelehnt: keine Kapazität", "Auf die Warteliste gesetzt"], rows);
    }

    private static FigureTable Months(SmallCells c, List<FactRow> rows)
    {
        var list = rows.Select(x => x.Month).Distinct().Order().Select(m =>
        {
            var p = rows.First(x => x.Month == m).Cur ? "c" : "p";
            var key = m.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            return new FigureRow(key, [m.ToString("MMMM yyyy", De)], [Count(c, $"{p}:m:{key}:S1"), Count(c, $"{p}:m:{key}:S4")]);
        }).ToList();
        return new("months", "Verlauf nach Monat", "Gesendete und davon erfolgreich abgeschlossene Verweisungen je Monat des Sendens, Vorperiode und gewählter Zeitraum.",
            ["Monat", "Gesendet", "Erfolgreich abgeschlossen"], list);
    }

    // ---- names (catalogue and routes; cached: they change rarely, a page lists hundreds) ----

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Name, DateTime At)> NameCache = new();

    public async Task<IReadOnlyDictionary<string, string>> LabelsAsync(NpgsqlConnection conn, string by, IReadOnlyList<string> keys, CancellationToken ct)
    {
        var result = new Dictionary<string, string>();
        if (by == "kind")
        {
            var names = (await conn.QueryAsync<(string Code, string Name)>(new CommandDefinition(
                "SELECT DISTINCT ON (category_code) category_code, name FROM referrals.routes ORDER BY category_code, version DESC", cancellationToken: ct)))
                .ToDictionary(x => x.Code, x => x.Name);
            foreach (var k in keys) result[k] = names.GetValueOrDefault(k, k);
            return result;
        }
        foreach (var k in keys)
        {
            if (by is not ("partner" or "service")) { result[k] = k == "" ? "ohne Angabe" : by == "team" ? TeamLabel(k) : k; continue; }
            var cacheKey = by + ":" + k;
            if (NameCache.TryGetValue(cacheKey, out var hit) && hit.At > DateTime.UtcNow.AddMinutes(-10)) { result[k] = hit.Name; continue; }
            var name = Guid.TryParse(k, out var id)
                ? by == "partner" ? await lookup.OrganizationNameAsync(id, ct) : (await lookup.FindAsync(id, ct))?.ServiceName
                : null;
            NameCache[cacheKey] = (name ?? "(unbekannt)", DateTime.UtcNow);
            result[k] = name ?? "(unbekannt)";
        }
        return result;
    }

    /// <summary>Teams are stored as identity codes ("team-kamenz"); the page shows them as words ("Team Kamenz").</summary>
    public static string TeamLabel(string code)
    {
        var words = code.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]);
        return string.Join(' ', words);
    }

    /// <summary>The values the page's filters offer, from the referrals the user may count in the period.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<(string Value, string Label)>>> OptionsAsync(FiguresRequest r, FiguresScope scope, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var (where, args) = Where(r with { Kind = null, Partner = null, Service = null, District = null, Team = null, TargetGroup = null }, scope, r.Previous.Start, r.End);
        var result = new Dictionary<string, IReadOnlyList<(string, string)>>();
        // One scan for all six lists: each grouping set fills one column and leaves the others NULL.
        var dims = FiguresRequest.Dimensions.ToList();
        var rows = (await conn.QueryAsync(new CommandDefinition($"""
            SELECT {string.Join(", ", dims.Select((d, i) => $"{d.Value.Column} AS c{i}"))}
            FROM referrals.referral_facts WHERE {where}
            GROUP BY GROUPING SETS ({string.Join(", ", dims.Select(d => $"({d.Value.Column})"))})
            """, args, cancellationToken: ct))).Cast<IDictionary<string, object?>>().ToList();
        for (var i = 0; i < dims.Count; i++)
        {
            var values = rows.Select(r => r[$"c{i}"] as string).Where(v => v is not null).Select(v => v!).Distinct().ToList();
            var labels = await LabelsAsync(conn, dims[i].Key, values, ct);
            result[dims[i].Key] = values.Select(v => (v, labels.GetValueOrDefault(v, v))).OrderBy(x => x.Item2, StringComparer.Create(De, true)).ToList();
        }
        return result;
    }
}
