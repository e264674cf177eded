using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using Netzwerk.Directory.Catalogue;

namespace Netzwerk.Directory.Maintenance;

/// <summary>
/// A service entry as coordinators edit it (API body, form, import row, partner proposal): the complete
/// editable state, replacing what is stored. Categories and target groups are taxonomy term codes or names.
/// </summary>
public sealed record ServiceInput
{
    public Guid? OrganizationId { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? Status { get; init; }
    public string? Url { get; init; }
    public string? Email { get; init; }
    public string? ReferralEmail { get; init; }
    public List<PhoneInput>? Phones { get; init; }
    public LocationInput? Location { get; init; }
    public List<OpeningHoursInput>? OpeningHours { get; init; }
    public List<string>? Languages { get; init; }
    public List<string>? Categories { get; init; }
    public List<string>? TargetGroups { get; init; }
    public string? EligibilityDescription { get; init; }
    public int? MinimumAge { get; init; }
    public int? MaximumAge { get; init; }
    public int? CapacityFree { get; init; }
    public int? WaitingDays { get; init; }
    public string? LegalBasis { get; init; }
    public string? Payer { get; init; }
    public string? FeesDescription { get; init; }
    public string? ApplicationProcess { get; init; }
    public string? AlternateName { get; init; }
    public string? InterpretationServices { get; init; }
}

public sealed record PhoneInput(string Number, string? Type = "voice", string? Description = null);

public sealed record LocationInput
{
    public string? Name { get; init; }
    public string? Address1 { get; init; }
    public string? PostalCode { get; init; }
    public string? City { get; init; }
    public string? District { get; init; }
    public string? Country { get; init; }
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public bool StepFree { get; init; }
}

/// <summary>Weekday ISO 1 = Montag … 7 = Sonntag; times as "HH:mm".</summary>
public sealed record OpeningHoursInput(int Weekday, string Opens, string Closes, string? Description = null);

public sealed record OrganizationInput
{
    public string? Name { get; init; }
    public string? AlternateName { get; init; }
    public string? Description { get; init; }
    public string? Email { get; init; }
    public string? ReferralEmail { get; init; }
    public string? Website { get; init; }
    public string? LegalStatus { get; init; }
    public string? Phone { get; init; }
    public bool CooperationAgreement { get; init; }
    public DateOnly? CooperationSince { get; init; }
    public string? CooperationNote { get; init; }
    public string? Status { get; init; }
}

/// <summary>Field errors with German messages, keyed like the JSON body (camelCase, dotted for nested fields).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new();
    public bool Any => _errors.Count > 0;
    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }
    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    public IEnumerable<string> Messages => _errors.SelectMany(e => e.Value.Select(m => m));
}

public static partial class EntryRules
{
    public const int MaxText = 4000;
    public const int MaxName = 300;

    [GeneratedRegex(@"^\+?[0-9][0-9 /()\-]{4,30}[0-9]$")]
    private static partial Regex PhonePattern();
    [GeneratedRegex(@"^[0-9]{5}$")]
    private static partial Regex GermanPostcode();

    public static bool IsPhone(string s) => PhonePattern().IsMatch(s.Trim()) && s.Count(char.IsDigit) >= 6;
    public static bool IsGermanPostcode(string s) => GermanPostcode().IsMatch(s.Trim());

    public static bool IsEmail(string s)
    {
        s = s.Trim();
        if (s.Length > 254 || s.Contains(' ') || !s.Contains('@')) return false;
        try { return new MailAddress(s).Address == s && s.Split('@')[1].Contains('.'); }
        catch (FormatException) { return false; }
    }

    public static bool IsWebUrl(string s)
        => Uri.TryCreate(NormalizeUrl(s), UriKind.Absolute, out var u) && (u.Scheme == "https" || u.Scheme == "http") && u.Host.Contains('.');

    /// <summary>Excel lists write "www.träger.de": we store it with a scheme so it is a valid URI (HSDS format uri).</summary>
    public static string NormalizeUrl(string s)
    {
        s = s.Trim();
        return s.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? s : "https://" + s;
    }

    public static bool TryParseTime(string? s, out TimeOnly time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(s)) return false;
        s = s.Trim().Replace('.', ':');
        if (!s.Contains(':')) s += ":00";
        return TimeOnly.TryParseExact(s, ["H:mm", "HH:mm", "H:mm:ss", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    public static void Validate(ServiceInput i, FieldErrors e, bool organizationRequired = true)
    {
        if (organizationRequired && i.OrganizationId is null) e.Add("organizationId", "Bitte wählen Sie den Träger (Organisation) aus.");
        if (string.IsNullOrWhiteSpace(i.Name)) e.Add("name", "Der Name des Angebots ist ein Pflichtfeld.");
        else if (i.Name.Length > MaxName) e.Add("name", $"Der Name darf höchstens {MaxName} Zeichen lang sein.");
        if (i.Description is { Length: > MaxText }) e.Add("description", $"Die Beschreibung darf höchstens {MaxText} Zeichen lang sein.");
        if (i.Status is not null && !EntryStatus.All.Contains(i.Status)) e.Add("status", "Unbekannter Status (erlaubt: active, temporarily_closed, retired).");
        if (!string.IsNullOrWhiteSpace(i.Url) && !IsWebUrl(i.Url)) e.Add("url", "Die Website ist keine gültige Adresse (z. B. https://www.traeger.de).");
        if (!string.IsNullOrWhiteSpace(i.Email) && !IsEmail(i.Email)) e.Add("email", "Die E-Mail-Adresse ist ungültig.");
        if (!string.IsNullOrWhiteSpace(i.ReferralEmail) && !IsEmail(i.ReferralEmail)) e.Add("referralEmail", "Die E-Mail-Adresse für Verweisungen ist ungültig.");
        foreach (var (p, n) in (i.Phones ?? []).Select((p, n) => (p, n)))
        {
            if (string.IsNullOrWhiteSpace(p.Number) || !IsPhone(p.Number)) e.Add($"phones[{n}].number", $"Die Telefonnummer „{Shorten(p.Number)}“ ist ungültig (Ziffern, Leerzeichen, + / - ( ) erlaubt).");
            if (p.Type is not null && !PhoneTypes.Contains(p.Type)) e.Add($"phones[{n}].type", "Unbekannte Art der Telefonnummer.");
        }
        if (i.Location is { } l)
        {
            var german = string.IsNullOrWhiteSpace(l.Country) || l.Country.Trim().ToUpperInvariant() is "DE" or "DEU" or "DEUTSCHLAND";
            if (!string.IsNullOrWhiteSpace(l.PostalCode) && german && !IsGermanPostcode(l.PostalCode)) e.Add("location.postalCode", "Die Postleitzahl muss aus fünf Ziffern bestehen.");
            if (string.IsNullOrWhiteSpace(l.City) && !string.IsNullOrWhiteSpace(l.Address1)) e.Add("location.city", "Bitte geben Sie den Ort an.");
            if (l.Latitude is < -90 or > 90 || l.Longitude is < -180 or > 180) e.Add("location.latitude", "Die Koordinaten liegen außerhalb des gültigen Bereichs.");
            if ((l.Latitude is null) != (l.Longitude is null)) e.Add("location.longitude", "Bitte geben Sie Breiten- und Längengrad zusammen an.");
        }
        foreach (var (h, n) in (i.OpeningHours ?? []).Select((h, n) => (h, n)))
        {
            if (h.Weekday is < 1 or > 7) e.Add($"openingHours[{n}].weekday", "Der Wochentag muss zwischen 1 (Montag) und 7 (Sonntag) liegen.");
            var opensOk = TryParseTime(h.Opens, out var opens);
            var closesOk = TryParseTime(h.Closes, out var closes);
            if (!opensOk) e.Add($"openingHours[{n}].opens", $"Die Öffnungszeit „{Shorten(h.Opens)}“ ist keine Uhrzeit (z. B. 09:00).");
            if (!closesOk) e.Add($"openingHours[{n}].closes", $"Die Schließzeit „{Shorten(h.Closes)}“ ist keine Uhrzeit (z. B. 16:30).");
            if (opensOk && closesOk && opens >= closes) e.Add($"openingHours[{n}].closes", $"{OpeningHoursText.DayNames[Math.Clamp(h.Weekday, 1, 7) - 1]}: Die Schließzeit muss nach der Öffnungszeit liegen.");
        }
        var valid = (i.OpeningHours ?? []).Where(h => h.Weekday is >= 1 and <= 7 && TryParseTime(h.Opens, out var o) && TryParseTime(h.Closes, out var c) && o < c)
            .Select(h => (h.Weekday, O: ParseTime(h.Opens), C: ParseTime(h.Closes))).OrderBy(h => h.Weekday).ThenBy(h => h.O).ToList();
        for (var k = 1; k < valid.Count; k++)
            if (valid[k].Weekday == valid[k - 1].Weekday && valid[k].O < valid[k - 1].C)
                e.Add("openingHours", $"{OpeningHoursText.DayNames[valid[k].Weekday - 1]}: Die Öffnungszeiten überschneiden sich.");
        foreach (var lang in i.Languages ?? [])
            if (LanguageNames.CodeFor(lang) is null) e.Add("languages", $"Unbekannte Sprache „{Shorten(lang)}“.");
        if (i.MinimumAge is < 0 or > 120) e.Add("minimumAge", "Das Mindestalter muss zwischen 0 und 120 liegen.");
        if (i.MaximumAge is < 0 or > 120) e.Add("maximumAge", "Das Höchstalter muss zwischen 0 und 120 liegen.");
        if (i.MinimumAge is { } min && i.MaximumAge is { } max && max < min) e.Add("maximumAge", "Das Höchstalter darf nicht unter dem Mindestalter liegen.");
        if (i.CapacityFree is < 0 or > 100000) e.Add("capacityFree", "Die freien Plätze müssen eine Zahl ab 0 sein.");
        if (i.WaitingDays is < 0 or > 3650) e.Add("waitingDays", "Die Wartezeit muss zwischen 0 und 3650 Tagen liegen.");
        foreach (var (value, field) in new[] { (i.EligibilityDescription, "eligibilityDescription"), (i.FeesDescription, "feesDescription"), (i.ApplicationProcess, "applicationProcess"), (i.InterpretationServices, "interpretationServices") })
            if (value is { Length: > MaxText }) e.Add(field, $"Der Text darf höchstens {MaxText} Zeichen lang sein.");
        foreach (var (value, field) in new[] { (i.LegalBasis, "legalBasis"), (i.Payer, "payer"), (i.AlternateName, "alternateName") })
            if (value is { Length: > MaxName }) e.Add(field, $"Der Text darf höchstens {MaxName} Zeichen lang sein.");
    }

    public static void Validate(OrganizationInput i, FieldErrors e)
    {
        if (string.IsNullOrWhiteSpace(i.Name)) e.Add("name", "Der Name des Trägers ist ein Pflichtfeld.");
        else if (i.Name.Length > MaxName) e.Add("name", $"Der Name darf höchstens {MaxName} Zeichen lang sein.");
        if (i.Description is { Length: > MaxText }) e.Add("description", $"Die Beschreibung darf höchstens {MaxText} Zeichen lang sein.");
        if (!string.IsNullOrWhiteSpace(i.Email) && !IsEmail(i.Email)) e.Add("email", "Die E-Mail-Adresse ist ungültig.");
        if (!string.IsNullOrWhiteSpace(i.ReferralEmail) && !IsEmail(i.ReferralEmail)) e.Add("referralEmail", "Die E-Mail-Adresse für Verweisungen ist ungültig.");
        if (!string.IsNullOrWhiteSpace(i.Website) && !IsWebUrl(i.Website)) e.Add("website", "Die Website ist keine gültige Adresse (z. B. https://www.traeger.de).");
        if (!string.IsNullOrWhiteSpace(i.Phone) && !IsPhone(i.Phone)) e.Add("phone", "Die Telefonnummer ist ungültig.");
        if (i.Status is not null && !EntryStatus.All.Contains(i.Status)) e.Add("status", "Unbekannter Status.");
        if (i.CooperationNote is { Length: > MaxText }) e.Add("cooperationNote", $"Die Notiz darf höchstens {MaxText} Zeichen lang sein.");
        if (i.CooperationSince is { } since && (since < FirstCooperation || since > LastCooperation))
            e.Add("cooperationSince", "Das Datum der Kooperation muss zwischen dem 01.01.1990 und dem 31.12.2099 liegen.");
    }

    // A year 1 or 9999 is a typo (or an attack), not a cooperation agreement.
    private static readonly DateOnly FirstCooperation = new(1990, 1, 1), LastCooperation = new(2099, 12, 31);

    public static TimeOnly ParseTime(string s) => TryParseTime(s, out var t) ? t : throw new FormatException(s);

    public static readonly string[] PhoneTypes = ["text", "voice", "fax", "cell", "video", "pager", "textphone"];

    public static string Shorten(string? s) => s is null ? "" : s.Length > 40 ? s[..40] + "…" : s;
}

/// <summary>German opening hours as people write them: "Mo-Fr 09:00-12:00; Di, Do 13:00-18:00".</summary>
public static partial class OpeningHoursText
{
    public static readonly string[] DayNames = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"];
    public static readonly string[] DayShort = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"];

    [GeneratedRegex(@"^\s*(?<days>[A-Za-zäÄ ,\-–]+?)\s+(?<spans>\d.*)$")]
    private static partial Regex Part();

    public static string Format(IEnumerable<OpeningHoursInput> hours)
        => string.Join("; ", hours.OrderBy(h => h.Weekday).ThenBy(h => h.Opens)
            .GroupBy(h => h.Weekday)
            .Select(g => $"{DayShort[Math.Clamp(g.Key, 1, 7) - 1]} {string.Join(", ", g.Select(h => $"{h.Opens}-{h.Closes}"))}"));

    /// <summary>Parses the text; what cannot be read becomes a German error message.</summary>
    public static List<OpeningHoursInput> Parse(string? text, out List<string> errors)
    {
        errors = [];
        var result = new List<OpeningHoursInput>();
        if (string.IsNullOrWhiteSpace(text)) return result;
        foreach (var raw in text.Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var m = Part().Match(raw);
            if (!m.Success) { errors.Add($"Öffnungszeiten „{EntryRules.Shorten(raw)}“ nicht lesbar (Beispiel: Mo-Fr 09:00-12:00)."); continue; }
            var days = ParseDays(m.Groups["days"].Value);
            if (days is null) { errors.Add($"Unbekannter Wochentag in „{EntryRules.Shorten(raw)}“ (Mo, Di, Mi, Do, Fr, Sa, So)."); continue; }
            foreach (var span in m.Groups["spans"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var times = span.Replace("Uhr", "").Split(['-', '–'], StringSplitOptions.TrimEntries);
                if (times.Length != 2 || !EntryRules.TryParseTime(times[0], out var o) || !EntryRules.TryParseTime(times[1], out var c))
                { errors.Add($"Zeitspanne „{EntryRules.Shorten(span)}“ nicht lesbar (Beispiel: 09:00-12:00)."); continue; }
                foreach (var d in days) result.Add(new OpeningHoursInput(d, o.ToString("HH:mm"), c.ToString("HH:mm")));
            }
        }
        return result;
    }

    private static List<int>? ParseDays(string text)
    {
        var days = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split(['-', '–'], StringSplitOptions.TrimEntries);
            var from = Day(range[0]);
            var to = range.Length == 2 ? Day(range[1]) : from;
            if (from is null || to is null || range.Length > 2 || to < from) return null;
            for (var d = from.Value; d <= to.Value; d++) days.Add(d);
        }
        return days.Count == 0 ? null : days;
    }

    private static int? Day(string s)
    {
        s = s.Trim().TrimEnd('.');
        for (var i = 0; i < 7; i++)
            if (s.Equals(DayShort[i], StringComparison.OrdinalIgnoreCase) || s.Equals(DayNames[i], StringComparison.OrdinalIgnoreCase)) return i + 1;
        return null;
    }
}

/// <summary>ISO 639 codes with their German names (what coordinators type in a list: "Arabisch").</summary>
public static class LanguageNames
{
    public static readonly Dictionary<string, string> ByCode = new(StringComparer.OrdinalIgnoreCase)
    {
        ["de"] = "Deutsch", ["en"] = "Englisch", ["ar"] = "Arabisch", ["ru"] = "Russisch", ["uk"] = "Ukrainisch",
        ["tr"] = "Türkisch", ["pl"] = "Polnisch", ["cs"] = "Tschechisch", ["hsb"] = "Sorbisch", ["fa"] = "Persisch",
        ["vi"] = "Vietnamesisch", ["fr"] = "Französisch", ["es"] = "Spanisch", ["it"] = "Italienisch", ["ro"] = "Rumänisch",
        ["ku"] = "Kurdisch", ["ti"] = "Tigrinya", ["so"] = "Somali", ["ps"] = "Paschtu", ["sq"] = "Albanisch",
        ["bg"] = "Bulgarisch", ["hu"] = "Ungarisch", ["ur"] = "Urdu", ["sk"] = "Slowakisch", ["dgs"] = "Deutsche Gebärdensprache",
    };

    public static string? CodeFor(string value)
    {
        value = value.Trim();
        if (ByCode.ContainsKey(value)) return value.ToLowerInvariant();
        var byName = ByCode.FirstOrDefault(kv => kv.Value.Equals(value, StringComparison.OrdinalIgnoreCase)).Key;
        if (byName is not null) return byName;
        // Other ISO 639-1/-3 codes (HSDS imports) are accepted as they are.
        return value.Length is 2 or 3 && value.All(char.IsAsciiLetterLower) ? value : null;
    }

    public static string NameFor(string code) => ByCode.TryGetValue(code, out var n) ? n : code;
}
