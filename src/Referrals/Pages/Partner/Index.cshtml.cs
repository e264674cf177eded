using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Partner;
using Netzwerk.Referrals.Lifecycle;

namespace Netzwerk.Referrals.Pages.Partner;

/// <summary>
/// /partner/verweisungen: incoming referrals of the own organisation. A session from an e-mailed access link
/// (claim <c>referral</c>) lists only that one referral — the query enforces it.
/// </summary>
[Authorize(Policy = Policies.Partner)]
public sealed class IndexModel(PartnerReferrals.Queries queries, IServiceLookup services) : PageModel
{
    public IReadOnlyList<PartnerReferrals.Summary> Referrals { get; private set; } = [];
    public Dictionary<Guid, string> ServiceNames { get; } = [];
    public string? Status { get; private set; }
    public bool SingleReferralSession => ReferralAccess.ReferralScopeOf(User) is not null;

    public static readonly string[] Statuses = ReferralStatus.All.Where(s => s is not (ReferralStatus.Draft or ReferralStatus.AwaitingApproval)).ToArray();

    public async Task OnGetAsync(string? status, CancellationToken ct)
    {
        Status = Statuses.Contains(status) ? status : null;
        Referrals = await queries.ListAsync(User, Status, ct);
        foreach (var id in Referrals.Select(r => r.ServiceId).Distinct())
            ServiceNames[id] = (await services.FindAsync(id, ct))?.ServiceName ?? "Angebot";
    }
}
