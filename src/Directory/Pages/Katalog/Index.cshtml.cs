using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Primitives;
using Netzwerk.Directory.Search;
using Netzwerk.Platform.Identity;

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
        return $"{value}{unit} (Stand: {Days(ageDays)})";
    }

    public static string Days(int? days) => days switch
    {
        null => "unbekannt",
        0 => "heute",
        1 => "gestern",
        _ => $"vor {days} Tagen",
    };
}
