using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;

namespace Netzwerk.Platform.Pages.Datenschutz;

[Authorize(Policy = Policies.DataProtection)]
public sealed class ProtokollModel(AuditSearch search, AuditChain chain, AuditLog audit) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "user")] public string? UserFilter { get; set; }
    [BindProperty(SupportsGet = true)] public string? ObjectType { get; set; }
    [BindProperty(SupportsGet = true)] public string? ObjectId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "seite")] public int Seite { get; set; } = 1;

    public AuditPage Result { get; private set; } = null!;
    public ChainReport? Verification { get; private set; }
    public int LastPage => (int)Math.Max(1, (Result.Total + Result.PageSize - 1) / Result.PageSize);

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Seite < 1) Seite = 1;
        var tz = GermanTime.Berlin;
        DateTimeOffset? Local(DateOnly? d) => d is { } x
            ? new DateTimeOffset(x.ToDateTime(TimeOnly.MinValue), tz.GetUtcOffset(x.ToDateTime(TimeOnly.MinValue)))
            : null;
        Result = await search.FindAsync(new AuditFilter(UserFilter, ObjectType, ObjectId, Action, Local(From), Local(To?.AddDays(1)), Seite), ct);
        await audit.RecordAsync(new AuditEvent("read", "audit-trail", "search",
            Detail: $"user={UserFilter};objectType={ObjectType};objectId={ObjectId};action={Action}"), ct);
    }

    public async Task<IActionResult> OnPostVerifyAsync(CancellationToken ct)
    {
        Verification = await chain.VerifyAsync(ct);
        await audit.RecordAsync(new AuditEvent("verify", "audit-trail", "chain", Verification.Intact ? "ok" : "broken",
            Verification.FirstBrokenId is { } id ? $"firstBroken={id}" : null), ct);
        await OnGetAsync(ct);
        return Page();
    }

    public string PageLink(int page) => "?" + string.Join("&", new Dictionary<string, string?>
    {
        ["user"] = UserFilter, ["objectType"] = ObjectType, ["objectId"] = ObjectId, ["action"] = Action,
        ["from"] = From?.ToString("yyyy-MM-dd"), ["to"] = To?.ToString("yyyy-MM-dd"), ["seite"] = page.ToString(),
    }.Where(kv => !string.IsNullOrEmpty(kv.Value)).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}"));
}
