using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Routes;

namespace Netzwerk.Referrals.Pages.Wege;

/// <summary>/wege: every route with its scope and current version.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class IndexModel(ReferralsDb db, IServiceLookup lookup) : PageModel
{
    public IReadOnlyList<(ReferralRoute Current, int Versions)> Routes { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Message = TempData["Message"] as string;
        var all = await db.Routes.AsNoTracking().OrderBy(r => r.CategoryCode).ThenByDescending(r => r.Version).ToListAsync(ct);
        Routes = all.GroupBy(r => r.CategoryCode).Select(g => (g.First(), g.Count()))
            .OrderBy(x => x.Item1.PartnerKind == RouteCatalogue.DefaultCategory ? 1 : 0).ThenBy(x => x.Item1.PartnerKind)
            .ThenBy(x => RouteKeys.Specificity(x.Item1) * -1).ThenBy(x => x.Item1.Name).ToList();
        Names = await ScopeNamesAsync(lookup, Routes.Select(r => r.Current), ct);
    }

    /// <summary>Organisation and service names of scoped routes (the catalogue owns them).</summary>
    public static async Task<IReadOnlyDictionary<Guid, string>> ScopeNamesAsync(IServiceLookup lookup, IEnumerable<ReferralRoute> routes, CancellationToken ct)
    {
        var names = new Dictionary<Guid, string>();
        foreach (var r in routes)
        {
            if (r.ServiceId is { } s && !names.ContainsKey(s) && await lookup.FindAsync(s, ct) is { } service) names[s] = $"{service.ServiceName} ({service.OrganizationName})";
            if (r.OrganizationId is { } o && !names.ContainsKey(o) && await lookup.OrganizationNameAsync(o, ct) is { } org) names[o] = org;
        }
        return names;
    }

    public static string ScopeText(ReferralRoute r, IReadOnlyDictionary<Guid, string>? names = null)
    {
        string Name(Guid id) => names?.GetValueOrDefault(id) ?? id.ToString();
        var kind = r.PartnerKind == RouteCatalogue.DefaultCategory ? "alle übrigen Partnerarten" : r.PartnerKind;
        return r switch
        {
            { ServiceId: { } s } => $"{kind}, nur Angebot {Name(s)}",
            { OrganizationId: { } o } => $"{kind}, nur Träger {Name(o)}",
            { District: { } d } => $"{kind}, nur {d}",
            _ => kind,
        };
    }

    public static string Target(string role) => RoutePicture.Target(role);
}
