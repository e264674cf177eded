using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.View;
using Netzwerk.Referrals.Lifecycle;

namespace Netzwerk.Referrals.Pages.Verweisungen;

/// <summary>/verweisungen: my referrals and the ones I deputise (Teamleitung: the team's), with status, due dates and filters.</summary>
[Authorize(Policy = Policies.CaseWork)]
public sealed class IndexModel(ReferralQueries.Queries queries, IServiceLookup services, TimeProvider clock) : PageModel
{
    public IReadOnlyList<ReferralQueries.Summary> Referrals { get; private set; } = [];
    public Dictionary<Guid, string> ServiceNames { get; } = [];
    public DateTimeOffset Now { get; private set; }

    /// <summary>Filter: "offen" (default), "alle" or one status code.</summary>
    public string Filter { get; private set; } = "offen";
    public bool OverdueOnly { get; private set; }
    public bool DeputisedOnly { get; private set; }

    public static readonly IReadOnlyList<(string Value, string Text)> Filters =
        new[] { ("offen", "Alle offenen"), ("alle", "Alle") }
            .Concat(ReferralStatus.All.Select(s => (s, ReferralStatus.German[s]))).ToList();

    public async Task OnGetAsync(string? status, bool ueberfaellig, bool vertretung, CancellationToken ct)
    {
        Now = clock.GetUtcNow();
        Filter = Filters.Any(f => f.Value == status) ? status! : "offen";
        OverdueOnly = ueberfaellig;
        DeputisedOnly = vertretung;
        var codes = Filter switch
        {
            "offen" => string.Join(',', ReferralStatus.Open),
            "alle" => null,
            _ => Filter,
        };
        var rows = await queries.ListAsync(User, codes, ct);
        if (OverdueOnly) rows = rows.Where(IsOverdue).ToList();
        if (DeputisedOnly) rows = rows.Where(r => r.Deputised).ToList();
        Referrals = rows;
        foreach (var id in rows.Select(r => r.ServiceId).Distinct())
            ServiceNames[id] = (await services.FindAsync(id, ct))?.ServiceName ?? "unbekanntes Angebot";
    }

    public bool IsOverdue(ReferralQueries.Summary r)
        => (r.Status == ReferralStatus.Requested && r.ResponseDueAt < Now) || (r.AttendanceDueAt is not null && r.AttendanceDueAt < Now);
}
