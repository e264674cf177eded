using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Referrals.Pages.Wege;

/// <summary>/wege: referral routes per partner kind — the current version and its history.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class IndexModel(ReferralsDb db) : PageModel
{
    public IReadOnlyList<IGrouping<string, ReferralRoute>> Routes { get; private set; } = [];
    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Message = TempData["Message"] as string;
        var all = await db.Routes.AsNoTracking().OrderBy(r => r.CategoryCode).ThenByDescending(r => r.Version).ToListAsync(ct);
        Routes = all.GroupBy(r => r.CategoryCode).OrderBy(g => g.Key == Netzwerk.Referrals.Routes.RouteCatalogue.DefaultCategory ? 1 : 0).ThenBy(g => g.First().Name).ToList();
    }

    public static string Target(string role) => role switch
    {
        Roles.TeamLead => "Teamleitung",
        Roles.NetworkCoordinator => "Netzwerkkoordination",
        _ => role,
    };
}
