using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Search;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;

namespace Netzwerk.Directory.Pages.Katalog;

/// <summary>/katalog/angebote/{id}: everything the catalogue knows about one service.</summary>
[Authorize(Policy = Policies.SignedIn)]
public sealed class AngebotModel(DirectoryDbContext db, TimeProvider time) : PageModel
{
    public Service Service { get; private set; } = null!;
    public List<TaxonomyTerm> Categories { get; private set; } = [];
    public List<TaxonomyTerm> TargetGroups { get; private set; } = [];
    public List<Location> Locations { get; private set; } = [];
    public DateTimeOffset Now { get; private set; }
    public DateTimeOffset LocalNow { get; private set; }
    public bool OpenNow { get; private set; }
    public bool CanRefer { get; private set; }

    public static readonly string[] DayNames = OpenAt.DayNames;

    /// <summary>
    /// Back to the search this page was opened from (query, filters, page), carried as <c>?suche=</c>. Always a path
    /// under /katalog: the value only ever becomes the query string, so it cannot lead elsewhere.
    /// </summary>
    public string BackLink
    {
        get
        {
            var suche = Request.Query["suche"].ToString();
            if (string.IsNullOrEmpty(suche) || suche.Length > 1500 || suche.Any(c => char.IsControl(c) || c == '#')) return "/katalog";
            return "/katalog?" + suche.TrimStart('?');
        }
    }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var service = await db.Services.AsNoTracking()
            .Include(s => s.Organization!).ThenInclude(o => o.Phones)
            .Include(s => s.Terms).ThenInclude(t => t.TaxonomyTerm!).ThenInclude(t => t.Taxonomy)
            .Include(s => s.Locations).ThenInclude(l => l.Location!).ThenInclude(l => l.Accessibility)
            .Include(s => s.Schedules).Include(s => s.Languages).Include(s => s.Contacts).Include(s => s.Phones)
            .Include(s => s.CostOptions).Include(s => s.RequiredDocuments).Include(s => s.ServiceAreas)
            .AsSplitQuery()
            .SingleOrDefaultAsync(s => s.Id == id, ct);
        if (service is null) return NotFound();
        Service = service;
        Categories = service.Terms.Select(t => t.TaxonomyTerm!).Where(t => t.Taxonomy!.Code == TaxonomyCodes.PartnerKind).OrderBy(t => t.SortOrder).ToList();
        TargetGroups = service.Terms.Select(t => t.TaxonomyTerm!).Where(t => t.Taxonomy!.Code == TaxonomyCodes.TargetGroup).OrderBy(t => t.SortOrder).ToList();
        Locations = service.Locations.OrderBy(l => l.SortOrder).Select(l => l.Location!).ToList();
        Now = time.GetUtcNow();
        LocalNow = PostgresCatalogueSearch.LocalNow(time);
        var today = LocalNow.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)LocalNow.DayOfWeek;
        var clock = TimeOnly.FromDateTime(LocalNow.DateTime);
        OpenNow = EffectiveStatus == EntryStatus.Active && service.Schedules.Any(s => s.Weekday == today && s.OpensAt <= clock && clock < s.ClosesAt);
        CanRefer = EffectiveStatus != EntryStatus.Retired
            && User.HasClaim(c => c.Type == NetzwerkClaims.Role && c.Value is Roles.CaseManager or Roles.TeamLead);
        return Page();
    }

    public string EffectiveStatus => Service.Organization!.Status == EntryStatus.Retired ? EntryStatus.Retired
        : Service.Organization.Status == EntryStatus.TemporarilyClosed && Service.Status == EntryStatus.Active ? EntryStatus.TemporarilyClosed
        : Service.Status;

    public DateTimeOffset? VerifiedAt => Service.VerifiedAt ?? Service.Organization!.VerifiedAt;
    public bool VerificationDue => VerifiedAt is null || VerifiedAt < Now.AddMonths(-12);
    public string? ReferralEmail => string.IsNullOrWhiteSpace(Service.ReferralEmail) ? Service.Organization!.ReferralEmail : Service.ReferralEmail;

    public string Age(DateTimeOffset? at)
    {
        if (at is null) return "unbekannt";
        var days = (int)(Now - at.Value).TotalDays;
        var date = TimeZoneInfo.ConvertTime(at.Value, GermanTime.Berlin).ToString("dd.MM.yyyy");
        return days switch { <= 0 => $"heute ({date})", 1 => $"gestern ({date})", _ => $"vor {days} Tagen ({date})" };
    }

    public static string StatusText(string status) => status switch
    {
        EntryStatus.Active => "aktiv",
        EntryStatus.TemporarilyClosed => "vorübergehend geschlossen",
        EntryStatus.Retired => "nicht mehr angeboten",
        _ => status,
    };

    /// <summary>
    /// "Stufenloser Zugang: Eingang ebenerdig, Türbreite 90 cm". A detail row that only repeats the heading ("Stufenloser
    /// Zugang") adds its details, not its name a second time.
    /// </summary>
    public static string AccessText(bool stepFree, IEnumerable<(string Description, string? Details)> rows)
    {
        var head = stepFree ? "Stufenloser Zugang" : "Kein stufenloser Zugang bekannt";
        var parts = rows.Select(r => string.Equals(r.Description.Trim(), "Stufenloser Zugang", StringComparison.OrdinalIgnoreCase)
                ? r.Details
                : r.Description + (r.Details is null ? "" : $" ({r.Details})"))
            .Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        return parts.Count > 0 ? $"{head}: {string.Join(", ", parts)}" : head;
    }

    public static string MapUrl(double lat, double lon) =>
        FormattableString.Invariant($"https://www.openstreetmap.org/?mlat={lat:0.######}&mlon={lon:0.######}#map=17/{lat:0.######}/{lon:0.######}");
}
