using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Routes;

namespace Netzwerk.Referrals.Pages.Wege;

/// <summary>
/// /wege/umstellen?weg=…&amp;version=…&amp;ids=…: the preview of moving chosen running referrals to a newer route version
/// (GET, writes nothing), and the move itself (POST) with its result per referral.
/// </summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class UmstellenModel(ReferralsDb db, RouteVersions routes, TimeProvider clock, AuditLog audit) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Weg { get; set; }
    [BindProperty(SupportsGet = true)] public int? Version { get; set; }
    [BindProperty(SupportsGet = true)] public Guid[]? Ids { get; set; }

    public string RouteName { get; private set; } = "";
    public MoveToVersion.Outcome? Outcome { get; private set; }
    public bool Done { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await NameAsync(ct) is not { } name) return NotFound();
        RouteName = name;
        await this.TryAsync(async () => Outcome = await MoveToVersion.PreviewAsync(db, routes, clock, Weg!, MoveRequest(), ct), FieldNames);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await NameAsync(ct) is not { } name) return NotFound();
        RouteName = name;
        Done = await this.TryAsync(async () =>
            Outcome = await MoveToVersion.ExecuteAsync(db, routes, clock, audit, User.CurrentUser(), Weg!, MoveRequest(), ct), FieldNames);
        return Page();
    }

    public string Summary => Outcome is null ? "" : Count(MoveToVersion.MoveResults.Moved) switch
    {
        0 => "Keine Verweisung wurde umgestellt.",
        1 => $"1 Verweisung umgestellt: Sie folgt jetzt Version {Outcome.ToVersion}.",
        var n => $"{n} Verweisungen umgestellt: Sie folgen jetzt Version {Outcome.ToVersion}.",
    };

    public int Count(string result) => Outcome?.Referrals.Count(r => r.Result == result) ?? 0;

    public static string ResultText(string result) => result switch
    {
        MoveToVersion.MoveResults.Planned => "wird umgestellt",
        MoveToVersion.MoveResults.Moved => "umgestellt",
        MoveToVersion.MoveResults.Unchanged => "unverändert (folgt bereits dieser Version)",
        _ => "nicht umgestellt (inzwischen geändert)",
    };

    // The choice was made on the route page: its messages go to the summary here, not next to fields this page does not have.
    private static readonly IReadOnlyDictionary<string, string> FieldNames = new Dictionary<string, string>
    {
        ["toVersion"] = "", ["referralIds"] = "",
    };

    private MoveToVersion.Request MoveRequest() => new(Version, Ids);

    private async Task<string?> NameAsync(CancellationToken ct) => string.IsNullOrWhiteSpace(Weg) ? null
        : await db.Routes.AsNoTracking().Where(r => r.CategoryCode == Weg).OrderByDescending(r => r.Version).Select(r => r.Name).FirstOrDefaultAsync(ct);
}
