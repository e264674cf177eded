using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Netzwerk.Directory.Search;

public sealed record GeoPoint(double Latitude, double Longitude);

/// <summary>A point in the week: ISO weekday (1 = Montag) and optionally a time of day.</summary>
public sealed record OpenAt(int Weekday, TimeOnly? Time)
{
    public static readonly string[] DayNames = ["", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"];
    public override string ToString() => Time is { } t ? $"{DayNames[Weekday]} {t:HH\\:mm}" : DayNames[Weekday];
}

public enum SearchSort { Relevance, Distance, Name }

/// <summary>What the user asked for, validated. Built from the query string by <see cref="SearchQueryParser"/>.</summary>
public sealed record SearchQuery
{
    public string? Text { get; init; }
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<string> TargetGroups { get; init; } = [];
    public IReadOnlyList<string> Districts { get; init; } = [];
    public IReadOnlyList<string> Languages { get; init; } = [];
    public bool Accessible { get; init; }
    public OpenAt? OpenOn { get; init; }
    public bool HasCapacity { get; init; }
    public int? MaxWaitDays { get; init; }
    public int? Age { get; init; }
    public GeoPoint? Near { get; init; }
    /// <summary>The place as given (postcode, town name or coordinates), for display.</summary>
    public string? NearLabel { get; init; }
    public double? RadiusKm { get; init; }
    public SearchSort? Sort { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 20;

    public SearchSort EffectiveSort => Sort ?? (!string.IsNullOrWhiteSpace(Text) ? SearchSort.Relevance : Near is not null ? SearchSort.Distance : SearchSort.Name);
}

/// <summary>
/// Reads the search parameters (API and the /katalog page share them) and answers German field errors.
/// Postcodes and town names are resolved by the caller-supplied lookup.
/// </summary>
public static class SearchQueryParser
{
    public const int MaxTextLength = 200;
    public const int MaxPageSize = 100;
    public const int MaxResultWindow = 10_000;

    private static readonly Dictionary<string, int> Weekdays = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mo"] = 1, ["montag"] = 1, ["mon"] = 1, ["monday"] = 1,
        ["di"] = 2, ["dienstag"] = 2, ["tue"] = 2, ["tuesday"] = 2,
        ["mi"] = 3, ["mittwoch"] = 3, ["wed"] = 3, ["wednesday"] = 3,
        ["do"] = 4, ["donnerstag"] = 4, ["thu"] = 4, ["thursday"] = 4,
        ["fr"] = 5, ["freitag"] = 5, ["fri"] = 5, ["friday"] = 5,
        ["sa"] = 6, ["samstag"] = 6, ["sat"] = 6, ["saturday"] = 6,
        ["so"] = 7, ["sonntag"] = 7, ["sun"] = 7, ["sunday"] = 7,
    };

    /// <summary>What users see as the field's name: messages name these, never the parameter (issue 17).</summary>
    public static readonly IReadOnlyDictionary<string, string> FieldLabels = new Dictionary<string, string>
    {
        ["q"] = "Suchbegriff", ["near"] = "Ort oder Postleitzahl", ["radiusKm"] = "Umkreis", ["openOn"] = "geöffnet am",
        ["maxWaitDays"] = "max. Wartezeit (Tage)", ["age"] = "Alter der Person", ["language"] = "Sprache", ["category"] = "Kategorie",
        ["targetGroup"] = "Zielgruppe", ["district"] = "Landkreis / Stadt", ["sort"] = "Sortierung", ["page"] = "Seite",
        ["pageSize"] = "Treffer je Seite", ["accessible"] = "barrierefrei", ["hasCapacity"] = "freie Plätze",
    };

    private static string L(string name) => FieldLabels.GetValueOrDefault(name, name);

    public static async Task<(SearchQuery? Query, Dictionary<string, string[]> Errors)> ParseAsync(
        IQueryCollection query, Func<string, Task<IReadOnlyList<Place>>> placeLookup, DateTimeOffset nowLocal)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];

        string? Single(string name)
        {
            var values = query[name];
            if (values.Count > 1) Error(name, $"„{L(name)}“ darf nur einmal angegeben werden.");
            var v = values.Count > 0 ? values[0]?.Trim() : null;
            return string.IsNullOrEmpty(v) ? null : v;
        }

        IReadOnlyList<string> Many(string name, int maxLength = 80)
        {
            var list = query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (list.Count > 30) Error(name, $"Zu viele Werte für „{L(name)}“ (höchstens 30).");
            if (list.Any(v => v.Length > maxLength)) Error(name, $"Ein Wert für „{L(name)}“ ist zu lang (höchstens {maxLength} Zeichen).");
            return list;
        }

        bool Flag(string name)
        {
            var v = Single(name);
            if (v is null) return false;
            switch (v.ToLowerInvariant())
            {
                case "true" or "1" or "ja" or "on": return true;
                case "false" or "0" or "nein" or "off": return false;
                default: Error(name, $"„{L(name)}“ muss ja oder nein (true oder false) sein."); return false;
            }
        }

        int? Int(string name, int min, int max)
        {
            var v = Single(name);
            if (v is null) return null;
            if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            {
                Error(name, $"„{L(name)}“ muss eine ganze Zahl zwischen {min} und {max} sein.");
                return null;
            }
            return n;
        }

        var text = Single("q");
        if (text is { Length: > MaxTextLength }) Error("q", $"Der Suchtext ist zu lang (höchstens {MaxTextLength} Zeichen).");
        if (text is not null && text.Any(char.IsControl)) Error("q", "Der Suchtext enthält unzulässige Steuerzeichen.");

        var languages = Many("language", 20).Select(l => l.ToLowerInvariant()).ToList();
        if (languages.Any(l => !l.All(c => c is >= 'a' and <= 'z') || l.Length is < 2 or > 3))
            Error("language", "„Sprache“ erwartet Sprachcodes nach ISO 639 (z. B. de, ar, uk).");
        var categories = Many("category").Select(c => c.ToLowerInvariant()).ToList();
        var targetGroups = Many("targetGroup").Select(c => c.ToLowerInvariant()).ToList();
        var districts = Many("district", 120);

        OpenAt? openOn = null;
        var openText = Single("openOn");
        if (openText is not null)
        {
            openOn = ParseOpenAt(openText, nowLocal);
            if (openOn is null) Error("openOn", "„geöffnet am“ erwartet einen Wochentag und optional eine Uhrzeit, z. B. „mo“, „Dienstag 14:30“ oder „jetzt“.");
        }

        double? radius = null;
        var radiusText = Single("radiusKm");
        if (radiusText is not null)
        {
            if (!double.TryParse(radiusText.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || r <= 0 || r > 500 || double.IsNaN(r))
                Error("radiusKm", "„Umkreis“ muss eine Zahl (km) größer 0 und höchstens 500 sein.");
            else radius = r;
        }

        GeoPoint? near = null;
        var nearText = Single("near");
        if (nearText is not null)
        {
            near = ParseCoordinates(nearText);
            if (near is null && nearText.Length > 100) Error("near", "„Ort oder Postleitzahl“ ist zu lang (höchstens 100 Zeichen).");
            else if (near is null && nearText.Any(char.IsControl)) Error("near", "„Ort oder Postleitzahl“ enthält unzulässige Steuerzeichen.");
            else if (near is null)
            {
                var places = await placeLookup(nearText);
                if (places.Count == 1) near = places[0].Point;
                else if (places.Count > 1)
                    Error("near", $"„{nearText}“ gibt es mehrmals. Bitte wählen Sie: {string.Join(", ", places.Select(p => $"„{p.Choice}“"))}.");
                else if (nearText.Length == 5 && nearText.All(char.IsAsciiDigit))
                    Error("near", $"Die Postleitzahl {nearText} ist im Katalog nicht bekannt.");
                else
                    Error("near", $"„Ort oder Postleitzahl“: „{nearText}“ ist im Katalog nicht bekannt. Bitte eine fünfstellige Postleitzahl, einen Ort mit Angeboten im Katalog oder Koordinaten (z. B. 51.27,14.09) angeben.");
            }
        }
        if (radius is not null && nearText is null) Error("radiusKm", "Ein „Umkreis“ braucht einen Ort oder eine Postleitzahl.");

        SearchSort? sort = null;
        var sortText = Single("sort");
        if (sortText is not null)
        {
            sort = sortText.ToLowerInvariant() switch
            {
                "relevance" or "relevanz" => SearchSort.Relevance,
                "distance" or "entfernung" => SearchSort.Distance,
                "name" => SearchSort.Name,
                _ => null,
            };
            if (sort is null) Error("sort", "„Sortierung“ erlaubt Relevanz, Entfernung oder Name (relevance, distance, name).");
            if (sort == SearchSort.Distance && nearText is null) Error("sort", "Die Sortierung nach Entfernung braucht einen Ort oder eine Postleitzahl.");
        }

        var accessible = Flag("accessible");
        var hasCapacity = Flag("hasCapacity");
        var maxWait = Int("maxWaitDays", 0, 3650);
        var age = Int("age", 0, 120);
        var page = Int("page", 1, MaxResultWindow) ?? 1;
        var pageSize = Int("pageSize", 1, MaxPageSize) ?? 20;
        if (!errors.ContainsKey("page") && !errors.ContainsKey("pageSize") && page * pageSize > MaxResultWindow)
            Error("page", $"Es können höchstens die ersten {MaxResultWindow:N0} Treffer geblättert werden. Bitte die Suche eingrenzen.");

        if (errors.Count > 0) return (null, errors);
        return (new SearchQuery
        {
            Text = text, Categories = categories, TargetGroups = targetGroups, Districts = districts, Languages = languages,
            Accessible = accessible, OpenOn = openOn, HasCapacity = hasCapacity, MaxWaitDays = maxWait, Age = age,
            Near = near, NearLabel = nearText, RadiusKm = radius, Sort = sort, Page = page, PageSize = pageSize,
        }, errors);
    }

    public static GeoPoint? ParseCoordinates(string text)
    {
        var parts = text.Split(',', ';');
        if (parts.Length != 2) return null;
        if (!double.TryParse(parts[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var lat)) return null;
        if (!double.TryParse(parts[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var lon)) return null;
        if (lat is < -90 or > 90 || lon is < -180 or > 180 || double.IsNaN(lat) || double.IsNaN(lon)) return null;
        return new GeoPoint(lat, lon);
    }

    public static OpenAt? ParseOpenAt(string text, DateTimeOffset nowLocal)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t is "jetzt" or "now")
            return new OpenAt(nowLocal.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)nowLocal.DayOfWeek, TimeOnly.FromDateTime(nowLocal.DateTime));
        var parts = t.Split([' ', '-', '/', ',', 'T'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2 || !Weekdays.TryGetValue(parts[0].TrimEnd('.'), out var day)) return null;
        if (parts.Length == 1) return new OpenAt(day, null);
        return TimeOnly.TryParseExact(parts[1].Replace('.', ':'), ["H:mm", "HH:mm", "%H"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? new OpenAt(day, time) : null;
    }
}
