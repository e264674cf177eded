using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Figures;
using Npgsql;

namespace Netzwerk.Referrals.Pages.Kennzahlen;

/// <summary>/kennzahlen: process figures by status, partner kind and outcome reason, filterable by period and kind. Aggregates only.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class IndexModel(NpgsqlDataSource dataSource, ReferralsDb db) : PageModel
{
    public ReferralFigures.Result Figures { get; private set; } = null!;
    public IReadOnlyList<(string Code, string Name)> Kinds { get; private set; } = [];
    public string? From { get; private set; }
    public string? To { get; private set; }
    public string? Kind { get; private set; }

    public async Task OnGetAsync(string? von, string? bis, string? art, CancellationToken ct)
    {
        var from = Ui.ParseDate(von);
        var to = Ui.ParseDate(bis);
        if (!string.IsNullOrWhiteSpace(von) && from is null) ModelState.AddModelError("von", "Bitte geben Sie ein gültiges Anfangsdatum an.");
        if (!string.IsNullOrWhiteSpace(bis) && to is null) ModelState.AddModelError("bis", "Bitte geben Sie ein gültiges Enddatum an.");
        if (from is { } f && !ReferralFigures.WithinData(f)) { ModelState.AddModelError("von", ReferralFigures.OutsideData); from = null; }
        if (to is { } t && !ReferralFigures.WithinData(t)) { ModelState.AddModelError("bis", ReferralFigures.OutsideData); to = null; }
        if (from is not null && to is not null && to < from) { ModelState.AddModelError("bis", "Das Ende des Zeitraums liegt vor dem Anfang."); to = null; }
        var routes = await db.Routes.AsNoTracking().Select(r => new { r.CategoryCode, r.Name, r.Version }).ToListAsync(ct);
        Kinds = routes.GroupBy(r => r.CategoryCode).Select(g => (g.Key, g.MaxBy(r => r.Version)!.Name)).OrderBy(k => k.Name).ToList();
        Kind = Kinds.Any(k => k.Code == art) ? art : null;
        From = from?.ToString("yyyy-MM-dd");
        To = to?.ToString("yyyy-MM-dd");
        Figures = await ReferralFigures.QueryAsync(dataSource, new ReferralFigures.Filter(from, to, Kind), ct);
    }

    public static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.#", Ui.German) + " %" : "–";
    public static string Hours(double? hours) => hours switch
    {
        null => "–",
        < 48 => hours.Value.ToString("0.#", Ui.German) + " Std.",
        _ => (hours.Value / 24).ToString("0.#", Ui.German) + " Tage",
    };
}
