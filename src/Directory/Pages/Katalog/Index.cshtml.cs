using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Primitives;
using Netzwerk.Directory.Search;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Katalog;

/// <summary>/katalog: the search page. A plain GET form with the API's parameter names, so it works without JavaScript.</summary>
[Authorize(Policy = Policies.SignedIn)]
public sealed class IndexModel(ICatalogueSearch search, PostgresCatalogueSearch labels, TimeProvider time) : PageModel
{
    public SearchQuery? Query { get; private set; }
    public SearchResult? Result { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = new();
    public IReadOnlyDictionary<string, string> CategoryLabels { get; private set; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> TargetGroupLabels { get; private set; } = new Dictionary<string, string>();

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
        var (query, errors) = await SearchQueryParser.ParseAsync(new QueryCollection(values),
            postcode => search.FindPostcodeAsync(postcode, ct), PostgresCatalogueSearch.LocalNow(time));
        Errors = errors;
        Query = query;
        if (query is not null) Result = await search.SearchAsync(query, ct);
        else Response.StatusCode = StatusCodes.Status400BadRequest;
    }

    /// <summary>The current query string with one parameter changed (paging, sorting).</summary>
    public string With(string name, string value)
    {
        var values = Request.Query.Where(kv => kv.Key != name).SelectMany(kv => kv.Value.Select(v => (Key: kv.Key, v: v ?? "")))
            .Append((Key: name, v: value)).Where(x => !string.IsNullOrEmpty(x.v));
        return "/katalog?" + string.Join("&", values.Select(x => $"{Uri.EscapeDataString(x.Key)}={Uri.EscapeDataString(x.v!)}"));
    }

    public static string Days(int? days) => days switch
    {
        null => "unbekannt",
        0 => "heute",
        1 => "gestern",
        _ => $"vor {days} Tagen",
    };
}
