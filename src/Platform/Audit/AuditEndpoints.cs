using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Platform.Audit;

/// <summary>The Datenschutz role's view on the audit trail: search with filters and chain verification.</summary>
public static class AuditEndpoints
{
    public sealed record AuditEntryResponse(long Id, DateTimeOffset At, string UserId, string Role, string Action,
        string ObjectType, string ObjectId, string Outcome, string? RemoteAddress, string? Detail);
    public sealed record AuditPageResponse(IReadOnlyList<AuditEntryResponse> Entries, long Total, int Page, int PageSize);

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").RequireAuthorization(Policies.DataProtection).WithTags("Datenschutz");

        group.MapGet("", async (AuditSearch search, AuditLog audit, string? user, string? objectType, string? objectId,
            string? action, DateTimeOffset? from, DateTimeOffset? to, int? page, CancellationToken ct) =>
        {
            if (page is < 1 or > 100_000)
                return Problems.Problems.Validation(new Dictionary<string, string[]> { ["page"] = ["Die Seite muss zwischen 1 und 100000 liegen."] });
            var result = await search.FindAsync(new AuditFilter(user, objectType, objectId, action, from, to, page ?? 1), ct);
            // Reading the trail is itself recorded: who looked at whose traces.
            await audit.RecordAsync(new AuditEvent("read", "audit-trail", "search",
                Detail: $"user={user};objectType={objectType};objectId={objectId};action={action}"), ct);
            return Results.Ok(ToResponse(result));
        });

        group.MapGet("/verify", async (AuditChain chain, AuditLog audit, CancellationToken ct) =>
        {
            var report = await chain.VerifyAsync(ct);
            await audit.RecordAsync(new AuditEvent("verify", "audit-trail", "chain", report.Intact ? "ok" : "broken",
                report.FirstBrokenId is { } id ? $"firstBroken={id}" : null), ct);
            return Results.Ok(report);
        });
        return app;
    }

    public static AuditPageResponse ToResponse(AuditPage page) => new(
        page.Entries.Select(e => new AuditEntryResponse(e.Id, e.At, e.UserId, e.Role, e.Action, e.ObjectType, e.ObjectId,
            e.Outcome, e.RemoteAddress, e.Detail)).ToList(),
        page.Total, page.Page, page.PageSize);
}
