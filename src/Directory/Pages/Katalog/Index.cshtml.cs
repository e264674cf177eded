using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Primitives;
using Netzwerk.Directory.Search;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Wording;

namespace Netzwerk.Directory.Pages.Katalog;

/// <summary>/katalog: the search page. A plain GET form with the API's parameter names, so it works without JavaScript.</summary>
[Authorize(Policy = Policies.SignedIn)]
public sealed class IndexModel(ICatalogueSearch search, PostgresCatalogueSearch labels, TimeProvider time, SearchSettings settings) : PageModel
{
    public int MaxAgeDays => settings.CapacityMaxAgeDays;

    public SearchQuery? Query { get; private set; }
    public SearchResult? Result { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = new();
    public IReadOnlyDictionary<string, string> CategoryLabels { get; private set; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> TargetGroupLabels { get; private set; } = new Dictionary<string, string>();
    /// <summary>Filters that cannot apply yet (a radius without a place): the results stay, this says why.</summary>
    public List<string> Hints { get; } = [];
    /// <summary>Several towns of the typed name: the user picks one.</summary>
    public IReadOnlyList<Place> PlaceChoices { get; private set; } = [];

    public string Q => Request.Query["q"].ToString();
    public string Near => Request.Query["near"].ToString();
    public string Radius => Request.Query["radiusKm"].ToString();
    public string OpenDay => Request.Query["openOn"].ToString();
    public string OpenTime => Request.Query["openTime"].ToString();
    public string MaxWait => Request.Query["maxWaitDays"].ToString();
    public string Age => Request.Query["age"].ToString();
    public string Sort => Request.Query["sort"].ToString();
    public bool Accessible => Request.Query["accessible"].ToString() is "true" or "on";
    public bool HasCapacity => Request.Query["hasCapacity"].ToString() is "true" or "on";
    public bool IsSelected(string name, string value) => Request.Query[name].Any(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase));

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (!User.HasClaim(c => c.Type == NetzwerkClaims.Role && Roles.All.Contains(c.Value)))
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        (CategoryLabels, TargetGroupLabels) = await labels.TermLabelsAsync(ct);
        // The form sends weekday and time separately; the API takes them as one "openOn" value.
        var values = Request.Query.ToDictionary(kv => kv.Key, kv => kv.Value);
        values.Remove("openTime");
        if (!string.IsNullOrWhiteSpace(OpenDay) && !string.IsNullOrWhiteSpace(OpenTime) && OpenDay != "jetzt")
            values["openOn"] = new StringValues($"{OpenDay} {OpenTime}");
        foreach (var flag in new[] { "accessible", "hasCapacity" })
            if (values.TryGetValue(flag, out var v) && v.ToString() == "on") values[flag] = "true";
        foreach (var key in values.Where(kv => string.IsNullOrWhiteSpace(kv.Value.ToString())).Select(kv => kv.Key).ToList())
            values.Remove(key);
        // A radius (or the distance order) chosen before the place is an incomplete filter, not a mistake: the page
        // keeps showing results without it and says what is missing (the API, asked directly, still answers 400).
        if (!values.ContainsKey("near"))
        {
            if (values.Remove("radiusKm"))
                Hints.Add("Der Umkreis gilt, sobald Sie einen Ort oder eine Postleitzahl angeben. Bis dahin sehen Sie die Treffer ohne Umkreis.");
            if (values.TryGetValue("sort", out var s) && s.ToString() is "distance" or "entfernung")
            {
                values.Remove("sort");
                Hints.Add("Nach Entfernung sortieren kann die Suche, sobald Sie einen Ort oder eine Postleitzahl angeben.");
            }
        }
        var (query, errors) = await SearchQueryParser.ParseAsync(new QueryCollection(values),
            place => search.FindPlacesAsync(place, ct), PostgresCatalogueSearch.LocalNow(time));
        Errors = errors;
        Query = query;
        if (query is not null) Result = await search.SearchAsync(query, ct);
        else
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            if (errors.ContainsKey("near") && !string.IsNullOrWhiteSpace(Near))
            {
                var places = await search.FindPlacesAsync(Near, ct);
                if (places.Count > 1) PlaceChoices = places;
            }
        }
    }

    /// <summary>The details link carries this search along, so that "Zurück zur Suche" returns to the same query, filters and page.</summary>
    public string DetailsLink(Guid serviceId)
    {
        var qs = Request.QueryString.HasValue ? Request.QueryString.Value![1..] : "";
        return qs.Length == 0 || qs.Length > 1500 ? $"/katalog/angebote/{serviceId}" : $"/katalog/angebote/{serviceId}?suche={Uri.EscapeDataString(qs)}";
    }

    /// <summary>A filter in effect, shown above the results with a link that removes just this one.</summary>
    public sealed record ActiveFilter(string Label, string Name, string Value, string RemoveUrl);

    /// <summary>
    /// The filters the user set, in the order of the filter panel. The search text is not one of them (it has its own
    /// field at the top); paging restarts when a filter goes.
    /// </summary>
    public IReadOnlyList<ActiveFilter> ActiveFilters()
    {
        var list = new List<ActiveFilter>();
        void Add(string label, string name, string value) => list.Add(new(label, name, value, Without(name, value)));
        if (Near.Trim() is { Length: > 0 } near) Add($"Ort {near}", "near", Near);
        if (Radius.Length > 0) Add($"Umkreis {Radius} km", "radiusKm", Radius);
        if (Accessible) Add("barrierefrei", "accessible", Request.Query["accessible"].ToString());
        if (HasCapacity) Add("freie Plätze", "hasCapacity", Request.Query["hasCapacity"].ToString());
        if (int.TryParse(MaxWait, out var wait)) Add($"Wartezeit höchstens {GermanCount.Days(wait)}", "maxWaitDays", MaxWait);
        if (OpenDay.Length > 0)
            Add($"geöffnet {(OpenDay == "jetzt" ? "jetzt" : "am " + DayName(OpenDay))}{(OpenTime.Length > 0 && OpenDay != "jetzt" ? $" um {OpenTime} Uhr" : "")}", "openOn", OpenDay);
        if (int.TryParse(Age, out var age)) Add($"Alter {age}", "age", Age);
        foreach (var (name, labels) in new[] { ("category", CategoryLabels), ("targetGroup", TargetGroupLabels),
                     ("language", PostgresCatalogueSearch.LanguageNames), ("district", (IReadOnlyDictionary<string, string>?)null) })
            foreach (var v in Request.Query[name].Where(v => !string.IsNullOrWhiteSpace(v)).Distinct(StringComparer.OrdinalIgnoreCase))
                Add(labels?.GetValueOrDefault(v!) ?? v!, name, v!);
        return list;
    }

    public static readonly IReadOnlyList<(string Code, string Name)> Weekdays =
        [("mo", "Montag"), ("di", "Dienstag"), ("mi", "Mittwoch"), ("do", "Donnerstag"), ("fr", "Freitag"), ("sa", "Samstag"), ("so", "Sonntag")];

    private static string DayName(string code) => Weekdays.FirstOrDefault(d => d.Code == code).Name ?? code;

    /// <summary>The current query string without one value of one parameter (and without the page; a weekday takes its time along).</summary>
    public string Without(string name, string value)
    {
        var values = Request.Query.Where(kv => kv.Key != "page" && !(name == "openOn" && kv.Key == "openTime"))
            .SelectMany(kv => kv.Value.Select(v => (kv.Key, v: v ?? "")))
            .Where(x => !(x.Key == name && string.Equals(x.v, value, StringComparison.OrdinalIgnoreCase)) && x.v.Length > 0);
        var qs = string.Join("&", values.Select(x => $"{Uri.EscapeDataString(x.Key)}={Uri.EscapeDataString(x.v)}"));
        return qs.Length == 0 ? "/katalog" : "/katalog?" + qs;
    }

    /// <summary>The current query string with one parameter changed (paging, sorting).</summary>
    public string With(string name, string value)
    {
        var values = Request.Query.Where(kv => kv.Key != name).SelectMany(kv => kv.Value.Select(v => (Key: kv.Key, v: v ?? "")))
            .Append((Key: name, v: value)).Where(x => !string.IsNullOrEmpty(x.v));
        return "/katalog?" + string.Join("&", values.Select(x => $"{Uri.EscapeDataString(x.Key)}={Uri.EscapeDataString(x.v!)}"));
    }

    /// <summary>A figure with its age ("5 Tage (Stand: vor 3 Tagen)"); past the configured age it is unknown, not wrong.</summary>
    public string Figure(int? value, string unit, int? ageDays)
    {
        if (value is null) return "unbekannt";
        if (ageDays is null || ageDays > MaxAgeDays) return $"unbekannt (letzte Angabe älter als {MaxAgeDays} Tage)";
        return $"{unit switch { "Tage" => GermanCount.Days(value.Value), _ => value.ToString() }} (Stand: {Days(ageDays)})";
    }

    public static string Days(int? days) => days switch
    {
        null => "unbekannt",
        0 => "heute",
        1 => "gestern",
        _ => $"vor {days} Tagen",
    };
}
