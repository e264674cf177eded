using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Figures;

namespace Netzwerk.Referrals.Pages.Kennzahlen;

/// <summary>
/// /kennzahlen: Wirkungskontrolle — the funnel with the reasons of every drop, the breakdown, the partners' answers, the
/// gaps, charts and exports, for the user's scope (<see cref="FiguresScope"/>). Same parameters as <c>/api/figures</c>.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public sealed class IndexModel(FiguresReports reports, TimeProvider clock) : PageModel
{
    public FiguresReport? Report { get; private set; }
    public FiguresRequest? Request0 { get; private set; }
    public IReadOnlyDictionary<string, IReadOnlyList<(string Value, string Label)>> Options { get; private set; } =
        new Dictionary<string, IReadOnlyList<(string, string)>>();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (FiguresScope.Of(User) is not { } scope) return Forbid();
        var errors = new Dictionary<string, string[]>();
        var request = FiguresRequest.Parse(name => Request.Query[name].FirstOrDefault(), clock, errors);
        foreach (var (field, messages) in errors)
            foreach (var m in messages) ModelState.AddModelError(field, m);
        request ??= FiguresRequest.Parse(_ => null, clock, []);
        Request0 = request;
        Report = await reports.BuildAsync(request!, scope, ct);
        Options = await reports.OptionsAsync(request!, scope, ct);
        return Page();
    }

    /// <summary>The last six quarters and twelve months, newest first, for the period choice.</summary>
    public IEnumerable<(string Value, string Label)> Periods()
    {
        var today = Netzwerk.Platform.Time.CalendarDay.Today(clock);
        var q = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
        for (var i = 0; i < 8; i++, q = q.AddMonths(-3)) yield return ($"{q.Year}-Q{(q.Month - 1) / 3 + 1}", $"{(q.Month - 1) / 3 + 1}. Quartal {q.Year}");
        var m = new DateOnly(today.Year, today.Month, 1);
        for (var i = 0; i < 24; i++, m = m.AddMonths(-1)) yield return (m.ToString("yyyy-MM"), m.ToString("MMMM yyyy", Ui.German));
    }
}
