using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Npgsql;
using E = Netzwerk.Referrals.Lifecycle.ReferralStateMachine.EventNames;

namespace Netzwerk.Referrals.Figures;

/// <summary>
/// Process figures for the Netzwerkkoordination ("Welche Verweisungen waren erfolgreich? Wenn nicht – warum?"):
/// counts and rates over sent referrals, read-only SQL over the referral tables. Aggregates only — no case reference,
/// no free text, no user ids leave this query.
/// </summary>
public static class ReferralFigures
{
    public sealed record Filter(DateOnly? From, DateOnly? To, string? Kind);

    public sealed record Count(string Code, string Text, int Value);

    public sealed record KindFigures(string Code, string Name, int Referrals, int Accepted, int Declined, double? AcceptanceRate,
        double? MedianResponseHours, int AttendanceReported, int Attended, double? AttendanceRate);

    public sealed record OutcomeCount(string Outcome, string OutcomeText, string ReasonCode, string ReasonText, int Value);

    public sealed record Result(Filter Filter, int Referrals, IReadOnlyList<Count> ByStatus, IReadOnlyList<KindFigures> ByKind,
        int Accepted, int Declined, double? AcceptanceRate, double? MedianResponseHours, int AttendanceReported, int Attended,
        double? AttendanceRate, IReadOnlyList<OutcomeCount> Outcomes);

    // Stored event names come from the machine: a renamed event cannot silently drop out of the figures.
    private const string Base = $"""
        WITH base AS (
            SELECT r.id, r.status, r.route_category, r.sent_at
            FROM referrals.referrals r
            WHERE r.sent_at IS NOT NULL
              AND (@from::timestamptz IS NULL OR r.sent_at >= @from)
              AND (@to::timestamptz IS NULL OR r.sent_at < @to)
              AND (@kind::text IS NULL OR r.route_category = @kind)
        ), per AS (
            SELECT b.id, b.status, b.route_category,
                   extract(epoch FROM (SELECT min(h.at) FROM referrals.history h WHERE h.referral_id = b.id
                        AND h.event IN ('{E.PartnerAccepted}', '{E.PartnerDeclined}', '{E.PartnerWaitlisted}', '{E.PartnerProposedForwarding}')) - b.sent_at) / 3600.0 AS response_hours,
                   EXISTS (SELECT 1 FROM referrals.history h WHERE h.referral_id = b.id AND h.event = '{E.PartnerAccepted}') AS accepted,
                   EXISTS (SELECT 1 FROM referrals.history h WHERE h.referral_id = b.id AND h.event = '{E.PartnerDeclined}') AS declined,
                   (SELECT f.attended FROM referrals.feedback f WHERE f.referral_id = b.id AND f.kind = 'attendance' ORDER BY f.at DESC LIMIT 1) AS attended,
                   (SELECT h.detail FROM referrals.history h WHERE h.referral_id = b.id AND h.event = '{E.Closed}' ORDER BY h.id DESC LIMIT 1) AS close_reason,
                   (SELECT f.reason_code FROM referrals.feedback f WHERE f.referral_id = b.id AND f.kind = 'declined' ORDER BY f.at DESC LIMIT 1) AS decline_reason
            FROM base b
        )
        """;

    private sealed class Row
    {
        public string Status { get; set; } = "";
        public string RouteCategory { get; set; } = "";
        public bool Accepted { get; set; }
        public bool Declined { get; set; }
        public bool? Attended { get; set; }
        public string? CloseReason { get; set; }
        public string? DeclineReason { get; set; }
        public int N { get; set; }
    }

    private sealed class Median
    {
        public string? RouteCategory { get; set; }
        public double? Hours { get; set; }
    }

    public static async Task<Result> QueryAsync(NpgsqlDataSource dataSource, Filter filter, CancellationToken ct)
    {
        var berlin = GermanTime.Berlin;
        DateTimeOffset? Start(DateOnly? d) => d is { } x ? new DateTimeOffset(x.ToDateTime(TimeOnly.MinValue), berlin.GetUtcOffset(x.ToDateTime(TimeOnly.MinValue))).ToUniversalTime() : null;
        var args = new { from = Start(filter.From), to = Start(filter.To?.AddDays(1)), kind = string.IsNullOrWhiteSpace(filter.Kind) ? null : filter.Kind };

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<Row>(new CommandDefinition(Base + """
            SELECT status, route_category AS RouteCategory, accepted, declined, attended, close_reason AS CloseReason,
                   decline_reason AS DeclineReason, count(*)::int AS N
            FROM per GROUP BY 1, 2, 3, 4, 5, 6, 7
            """, args, cancellationToken: ct))).ToList();
        var medians = (await conn.QueryAsync<Median>(new CommandDefinition(Base + """
            SELECT route_category AS RouteCategory, percentile_cont(0.5) WITHIN GROUP (ORDER BY response_hours) AS Hours
            FROM per WHERE response_hours IS NOT NULL GROUP BY ROLLUP (route_category)
            """, args, cancellationToken: ct))).ToList();
        var names = (await conn.QueryAsync<(string Code, string Name)>(new CommandDefinition("""
            SELECT DISTINCT ON (category_code) category_code, name FROM referrals.routes ORDER BY category_code, version DESC
            """, cancellationToken: ct))).ToDictionary(x => x.Code, x => x.Name);

        static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

        var byStatus = ReferralStatus.All.Where(s => s is not (ReferralStatus.Draft or ReferralStatus.AwaitingApproval))
            .Select(s => new Count(s, ReferralStatus.German[s], rows.Where(r => r.Status == s).Sum(r => r.N))).ToList();
        var byKind = rows.GroupBy(r => r.RouteCategory).OrderBy(g => names.GetValueOrDefault(g.Key, g.Key)).Select(g =>
        {
            int Sum(Func<Row, bool> p) => g.Where(p).Sum(r => r.N);
            var accepted = Sum(r => r.Accepted);
            var declined = Sum(r => r.Declined && !r.Accepted);
            var reported = Sum(r => r.Attended is not null);
            var attended = Sum(r => r.Attended == true);
            return new KindFigures(g.Key, names.GetValueOrDefault(g.Key, g.Key), g.Sum(r => r.N), accepted, declined, Rate(accepted, accepted + declined),
                medians.FirstOrDefault(m => m.RouteCategory == g.Key)?.Hours, reported, attended, Rate(attended, reported));
        }).ToList();

        var outcomes = new List<OutcomeCount>();
        foreach (var g in rows.Where(r => r.CloseReason is not null).GroupBy(r => r.CloseReason!))
        {
            var success = g.Key == ReasonCodes.CompletedWithResult;
            outcomes.Add(new OutcomeCount(success ? "completed" : "failed", success ? "Erfolgreich abgeschlossen" : "Ohne Erfolg beendet",
                g.Key, ReasonCodes.German.GetValueOrDefault(g.Key, g.Key), g.Sum(r => r.N)));
        }
        foreach (var g in rows.Where(r => r.DeclineReason is not null && r.Status == ReferralStatus.Rejected).GroupBy(r => r.DeclineReason!))
            outcomes.Add(new OutcomeCount("rejected", "Vom Partner abgelehnt", g.Key, ReasonCodes.German.GetValueOrDefault(g.Key, g.Key), g.Sum(r => r.N)));
        var cancelled = rows.Where(r => r.Status == ReferralStatus.Cancelled).Sum(r => r.N);
        if (cancelled > 0) outcomes.Add(new OutcomeCount("cancelled", "Storniert", "cancelled", "Storniert (Fallmanagement oder Widerruf)", cancelled));
        outcomes = outcomes.OrderBy(o => o.Outcome switch { "completed" => 0, "failed" => 1, "rejected" => 2, _ => 3 }).ThenByDescending(o => o.Value).ToList();

        var acc = byKind.Sum(k => k.Accepted);
        var dec = byKind.Sum(k => k.Declined);
        var rep = byKind.Sum(k => k.AttendanceReported);
        var att = byKind.Sum(k => k.Attended);
        return new Result(filter, rows.Sum(r => r.N), byStatus, byKind, acc, dec, Rate(acc, acc + dec),
            medians.FirstOrDefault(m => m.RouteCategory is null)?.Hours, rep, att, Rate(att, rep), outcomes);
    }

    public static IEndpointRouteBuilder MapReferralFigures(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/figures", async (string? from, string? to, string? kind, NpgsqlDataSource dataSource, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var f = ParseDate(from, "from", errors);
                var t = ParseDate(to, "to", errors);
                if (f is not null && t is not null && t < f) errors["to"] = ["Das Ende des Zeitraums liegt vor dem Anfang."];
                if (kind is { Length: > 80 }) errors["kind"] = ["Die Partnerart ist zu lang."];
                if (errors.Count > 0) return Problems.Validation(errors);
                return Results.Ok(await QueryAsync(dataSource, new Filter(f, t, kind), ct));
            })
            .RequireAuthorization(Policies.Coordination)
            .WithTags("Kennzahlen")
            .WithSummary("Prozesskennzahlen der Verweisungen (nur Aggregate): ?from=JJJJ-MM-TT&to=JJJJ-MM-TT&kind=schuldnerberatung")
            .Produces<Result>()
            .ProducesValidationProblem();
        return app;
    }

    private static DateOnly? ParseDate(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", out var d))
            errors[field] = ["Bitte ein Datum im Format JJJJ-MM-TT angeben."];
        else if (!WithinData(d))
            errors[field] = [OutsideData];
        else return d;
        return null;
    }

    // Referrals exist from this product's start; the bounds also keep the period's day arithmetic from overflowing.
    private static readonly DateOnly FirstDay = new(2000, 1, 1), LastDay = new(2099, 12, 31);
    public const string OutsideData = "Der Zeitraum muss zwischen dem 01.01.2000 und dem 31.12.2099 liegen.";
    public static bool WithinData(DateOnly day) => day >= FirstDay && day <= LastDay;
}
