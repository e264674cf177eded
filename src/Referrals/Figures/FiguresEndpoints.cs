using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Referrals.Figures;

/// <summary>
/// <c>GET /api/figures</c> (JSON), <c>/api/figures/csv?table=…</c> and <c>/api/figures/xlsx</c>: the report the page
/// <c>/kennzahlen</c> shows, with the same query parameters, the same scope and the same suppression.
/// </summary>
public static class FiguresEndpoints
{
    public static IEndpointRouteBuilder MapReferralFigures(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/figures").RequireAuthorization(Policies.SignedIn).WithTags("Kennzahlen");
        group.MapGet("", async (HttpContext http, FiguresReports reports, TimeProvider clock, CancellationToken ct) =>
                await WithReport(http, reports, clock, ct, Results.Ok))
            .WithSummary("Wirkungskontrolle (nur Aggregate, kleine Gruppen unterdrückt): ?period=2026-Q3|2026-07 oder from/to=JJJJ-MM-TT, "
                         + "kind, partner, service, district, team, targetGroup, by=kind|partner|service|district|team|targetGroup")
            .Produces<FiguresReport>()
            .ProducesValidationProblem();
        group.MapGet("/csv", async (HttpContext http, FiguresReports reports, TimeProvider clock, string? table, CancellationToken ct) =>
                await WithReport(http, reports, clock, ct, report => report.Tables.FirstOrDefault(t => t.Id == (table ?? "funnel")) is { } t
                    ? Results.File(FiguresExport.Csv(t), "text/csv; charset=utf-8", $"kennzahlen-{t.Id}-{FileStamp(report)}.csv")
                    : Problems.Validation(new Dictionary<string, string[]> { ["table"] = ["Unbekannte Tabelle."] })))
            .WithSummary("Eine Tabelle der Kennzahlen als CSV (table=funnel|drops|breakdown|responses|routes|times|gaps|months)");
        group.MapGet("/xlsx", async (HttpContext http, FiguresReports reports, TimeProvider clock, CancellationToken ct) =>
                await WithReport(http, reports, clock, ct, report => Results.File(FiguresExport.Xlsx(report),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"kennzahlen-{FileStamp(report)}.xlsx")))
            .WithSummary("Alle Tabellen der Kennzahlen als XLSX (ein Blatt je Tabelle)");
        return app;
    }

    private static string FileStamp(FiguresReport r) => r.Period == "" ? "zeitraum" : r.Period;

    private static async Task<IResult> WithReport(HttpContext http, FiguresReports reports, TimeProvider clock, CancellationToken ct,
        Func<FiguresReport, IResult> answer)
    {
        if (FiguresScope.Of(http.User) is not { } scope) return Problems.Forbidden("Kennzahlen sehen Netzwerkkoordination, Teamleitung, Fallmanager (eigene) und Partner (eigene Organisation).");
        var errors = new Dictionary<string, string[]>();
        var request = FiguresRequest.Parse(name => http.Request.Query[name].FirstOrDefault(), clock, errors);
        if (request is null) return Problems.Validation(errors);
        return answer(await reports.BuildAsync(request, scope, ct));
    }
}
