using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using CsvHelper;
using CsvHelper.Configuration;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;

using Netzwerk.Platform.Input;

namespace Netzwerk.Directory.Import;

/// <summary>
/// The rows of an HSDS service the entry form has no fields for (contacts, cost options, required documents, service
/// areas, the main location's accessibility and transportation, a schedule's attending type and notes). The importer
/// writes them after the entry itself, replacing what the entry had, so that a re-import updates instead of duplicating.
/// </summary>
public sealed record HsdsDetails(
    List<HsdsContact> Contacts, List<HsdsCostOption> CostOptions, List<HsdsDocument> Documents, List<HsdsArea> Areas,
    List<HsdsAccessibility> Accessibility, string? Transportation, List<HsdsScheduleExtra> ScheduleExtras);

public sealed record HsdsContact(string? Name, string? Title, string? Department);
public sealed record HsdsCostOption(string? ValidFrom, string? ValidTo, string? Option, string? Currency, decimal? Amount, string? AmountDescription);
public sealed record HsdsDocument(string Document, string? Uri);
public sealed record HsdsArea(string Name, string? Description, string? Extent, string? ExtentType, string? Uri);
public sealed record HsdsAccessibility(string Description, string? Details, string? Url);
public sealed record HsdsScheduleExtra(short Weekday, string Opens, string? AttendingType, string? Notes);

/// <summary>An HSDS entry found in a file: a service (with its organisation) or an organisation without services.</summary>
public sealed record HsdsEntry(int Position, JsonObject? Service, JsonObject? Organization);

/// <summary>
/// Reads HSDS 3.0 JSON (a service, an organisation with services, a service_at_location, a page of any of them,
/// or an array) and HSDS CSV datapackages (zip with datapackage.json and the tables) into nested HSDS objects.
/// </summary>
public static class HsdsReader
{
    public static List<HsdsEntry> ReadJson(JsonNode root)
    {
        var entries = new List<HsdsEntry>();
        void Visit(JsonNode? node)
        {
            if (node is JsonArray array) { foreach (var item in array) Visit(item); return; }
            if (node is not JsonObject o) return;
            if (o["contents"] is JsonArray contents) { foreach (var item in contents) Visit(item); return; }
            if (o["service"] is JsonObject sal && o["location"] is not null)
            {
                // service_at_location: the service, placed at this location.
                var service = (JsonObject)sal.DeepClone();
                service["service_at_locations"] ??= new JsonArray((JsonNode)new JsonObject { ["id"] = o["id"]?.DeepClone(), ["location"] = o["location"]!.DeepClone() });
                Visit(service);
                return;
            }
            if (o["services"] is JsonArray services)
            {
                var org = (JsonObject)o.DeepClone();
                org.Remove("services");
                if (services.Count == 0) entries.Add(new HsdsEntry(entries.Count + 1, null, org));
                foreach (var s in services.OfType<JsonObject>()) entries.Add(new HsdsEntry(entries.Count + 1, s, org));
                return;
            }
            if (o["status"] is not null || o["organization"] is not null || o["organization_id"] is not null)
            {
                entries.Add(new HsdsEntry(entries.Count + 1, o, o["organization"] as JsonObject));
                return;
            }
            if (o["name"] is not null && o["id"] is not null) entries.Add(new HsdsEntry(entries.Count + 1, null, o));   // organisation list item
        }
        Visit(root);
        return entries;
    }

    /// <summary>The tabular form: tables joined back into nested services by their ids.</summary>
    public static List<HsdsEntry> ReadCsvPackage(Stream zip)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read);
        var tables = new Dictionary<string, List<JsonObject>>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in archive.Entries.Where(e => e.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)))
        {
            using var reader = new StreamReader(entry.Open());
            using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null, MissingFieldFound = null });
            var rows = new List<JsonObject>();
            csv.Read();
            csv.ReadHeader();
            var headers = csv.HeaderRecord ?? [];
            while (csv.Read())
            {
                var row = new JsonObject();
                for (var i = 0; i < headers.Length; i++)
                    if (csv.TryGetField<string>(i, out var v) && !string.IsNullOrEmpty(v)) row[headers[i]] = v;
                rows.Add(row);
            }
            tables[Path.GetFileNameWithoutExtension(entry.Name)] = rows;
        }
        if (!tables.ContainsKey("services") && !tables.ContainsKey("organizations"))
            throw new InvalidDataException("Das Paket enthält weder services.csv noch organizations.csv.");

        List<JsonObject> T(string name) => tables.GetValueOrDefault(name) ?? [];
        ILookup<string, JsonObject> By(string table, string key) => T(table).Where(r => r[key] is not null).ToLookup(r => Str(r[key])!);
        JsonArray Copy(IEnumerable<JsonObject> rows) => new(rows.Select(r => (JsonNode)r.DeepClone()).ToArray());

        var addresses = By("addresses", "location_id");
        var accessibility = By("accessibility", "location_id");
        var locations = T("locations").Where(l => l["id"] is not null).GroupBy(l => Str(l["id"])!).ToDictionary(g => g.Key, g =>
        {
            var l = (JsonObject)g.First().DeepClone();
            l["addresses"] = Copy(addresses[g.Key]);
            l["accessibility"] = Copy(accessibility[g.Key]);
            return l;
        });
        var organizations = T("organizations").Where(o => o["id"] is not null).GroupBy(o => Str(o["id"])!).ToDictionary(g => g.Key, g => g.First());
        var terms = T("taxonomy_terms").Where(t => t["id"] is not null).GroupBy(t => Str(t["id"])!).ToDictionary(g => g.Key, g => g.First());
        var phones = By("phones", "service_id");
        var schedules = By("schedules", "service_id");
        var languages = By("languages", "service_id");
        var sals = By("service_at_location", "service_id");
        var contacts = By("contacts", "service_id");
        var costOptions = By("cost_options", "service_id");
        var documents = By("required_documents", "service_id");
        var areas = By("service_areas", "service_id");
        var attributes = T("attributes").Where(a => Str(a["link_entity"]) is null or "service" && a["link_id"] is not null).ToLookup(a => Str(a["link_id"])!);

        var entries = new List<HsdsEntry>();
        var orgsWithServices = new HashSet<string>();
        foreach (var row in T("services"))
        {
            var s = (JsonObject)row.DeepClone();
            var id = Str(s["id"]) ?? "";
            s["phones"] = Copy(phones[id]);
            s["schedules"] = Copy(schedules[id]);
            s["languages"] = Copy(languages[id]);
            s["contacts"] = Copy(contacts[id]);
            s["cost_options"] = Copy(costOptions[id]);
            s["required_documents"] = Copy(documents[id]);
            s["service_areas"] = Copy(areas[id]);
            s["service_at_locations"] = new JsonArray(sals[id].Select(sal =>
            {
                var x = (JsonObject)sal.DeepClone();
                if (Str(sal["location_id"]) is { } lid && locations.TryGetValue(lid, out var loc)) x["location"] = loc.DeepClone();
                return (JsonNode)x;
            }).ToArray());
            s["attributes"] = new JsonArray(attributes[id].Select(a =>
            {
                var x = (JsonObject)a.DeepClone();
                if (Str(a["taxonomy_term_id"]) is { } tid && terms.TryGetValue(tid, out var term)) x["taxonomy_term"] = term.DeepClone();
                return (JsonNode)x;
            }).ToArray());
            var orgId = Str(s["organization_id"]);
            if (orgId is not null) orgsWithServices.Add(orgId);
            entries.Add(new HsdsEntry(entries.Count + 1, s, orgId is not null && organizations.TryGetValue(orgId, out var org) ? (JsonObject)org.DeepClone() : null));
        }
        foreach (var (id, org) in organizations.Where(o => !orgsWithServices.Contains(o.Key)))
            entries.Add(new HsdsEntry(entries.Count + 1, null, (JsonObject)org.DeepClone()));
        return entries;
    }

    public static string? Str(JsonNode? n) => n switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => string.IsNullOrWhiteSpace(s) ? null
            : CleanText.IsClean(s) ? s.Trim() : throw new InvalidDataException($"Ein Text ({v.GetPath()}) enthält unzulässige Steuerzeichen."),
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    private static int? Int(JsonNode? n) => Str(n) is { } s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (int)d : null;
    private static double? Dbl(JsonNode? n) => Str(n) is { } s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    private static readonly Dictionary<string, int> Days = new() { ["MO"] = 1, ["TU"] = 2, ["WE"] = 3, ["TH"] = 4, ["FR"] = 5, ["SA"] = 6, ["SU"] = 7 };

    public static OrganizationInput ToOrganization(JsonObject o) => new()
    {
        Name = Str(o["name"]), AlternateName = Str(o["alternate_name"]), Description = Str(o["description"]),
        Email = Str(o["email"]), Website = Str(o["website"]), LegalStatus = Str(o["legal_status"]),
    };

    /// <summary>HSDS service → the catalogue's entry; what the catalogue cannot hold becomes a warning, not an error.</summary>
    public static ServiceInput ToService(JsonObject s, TermCatalogue terms, List<string> warnings)
    {
        var location = (s["service_at_locations"] as JsonArray)?.OfType<JsonObject>().Select(x => x["location"] as JsonObject).FirstOrDefault(l => l is not null);
        LocationInput? loc = null;
        if (location is not null)
        {
            var address = (location["addresses"] as JsonArray)?.OfType<JsonObject>()
                .OrderBy(a => Str(a["address_type"]) == "physical" ? 0 : 1).FirstOrDefault();
            double? lat = Dbl(location["latitude"]), lon = Dbl(location["longitude"]);
            if (lat is < -90 or > 90 || lon is < -180 or > 180 || (lat is null) != (lon is null))
            {
                warnings.Add("Koordinaten außerhalb des gültigen Bereichs wurden nicht übernommen.");
                lat = lon = null;
            }
            loc = new LocationInput
            {
                Name = Str(location["name"]), Address1 = Str(address?["address_1"]), PostalCode = Str(address?["postal_code"]),
                City = Str(address?["city"]), Country = Str(address?["country"]), Latitude = lat, Longitude = lon,
                StepFree = (location["accessibility"] as JsonArray)?.OfType<JsonObject>().Any(a =>
                    (Str(a["description"]) ?? "").Contains("wheelchair", StringComparison.OrdinalIgnoreCase)
                    || (Str(a["description"]) ?? "").Contains("stufenlos", StringComparison.OrdinalIgnoreCase)
                    || (Str(a["description"]) ?? "").Contains("rollstuhl", StringComparison.OrdinalIgnoreCase)) ?? false,
            };
        }
        var hours = new List<OpeningHoursInput>();
        var scheduleNodes = (s["schedules"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        foreach (var sch in scheduleNodes)
        {
            var byday = Str(sch["byday"]);
            var freq = Str(sch["freq"]);
            if (byday is null || freq is not (null or "WEEKLY") || !EntryRules.TryParseTime(Str(sch["opens_at"]), out var o) || !EntryRules.TryParseTime(Str(sch["closes_at"]), out var c) || o >= c)
            {
                warnings.Add("Ein Zeitplan ohne wöchentliche Öffnungszeiten (byday, opens_at < closes_at) wurde nicht übernommen.");
                continue;
            }
            foreach (var day in byday.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (Days.TryGetValue(day.Length > 2 ? day[^2..] : day, out var d) && hours.All(h => h.Weekday != d || h.Opens != o.ToString("HH:mm")))
                    hours.Add(new OpeningHoursInput(d, o.ToString("HH:mm"), c.ToString("HH:mm"), Str(sch["description"]) is { Length: <= 300 } desc ? desc : null));
        }
        var languages = new List<string>();
        foreach (var l in (s["languages"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var code = LanguageNames.CodeFor(Str(l["code"])?.ToLowerInvariant() ?? "") ?? LanguageNames.CodeFor(Str(l["name"]) ?? "");
            if (code is null) warnings.Add($"Sprache „{EntryRules.Shorten(Str(l["name"]) ?? Str(l["code"]))}“ ist unbekannt und wurde nicht übernommen.");
            else if (!languages.Contains(code)) languages.Add(code);
        }
        var categories = new List<string>();
        var targetGroups = new List<string>();
        foreach (var a in (s["attributes"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var term = a["taxonomy_term"] as JsonObject;
            var code = Str(term?["code"]) ?? Str(a["value"]);
            var name = Str(term?["name"]);
            TaxonomyTerm? Match(string taxonomy) => (code is null ? null : terms.Find(taxonomy, code)) ?? (name is null ? null : terms.Find(taxonomy, name));
            if (Match(TaxonomyCodes.PartnerKind) is { } kind) categories.Add(kind.Code);
            else if (Match(TaxonomyCodes.TargetGroup) is { } group) targetGroups.Add(group.Code);
            else warnings.Add($"Kategorie „{EntryRules.Shorten(name ?? code)}“ gibt es im Katalog nicht; nicht übernommen.");
        }
        var phones = (s["phones"] as JsonArray)?.OfType<JsonObject>()
            .Select(p => new PhoneInput((Str(p["number"]) ?? "").Trim('"', '\'', ' '), Str(p["type"]) is { } t && EntryRules.PhoneTypes.Contains(t) ? t : "voice", Str(p["description"]) is { Length: <= 300 } d ? d : null))
            .Where(p => p.Number.Length > 0).ToList() ?? [];
        return new ServiceInput
        {
            Name = Str(s["name"]), AlternateName = Str(s["alternate_name"]), Description = Str(s["description"]),
            Status = Str(s["status"]) switch { "defunct" => EntryStatus.Retired, "inactive" or "temporarily closed" => EntryStatus.TemporarilyClosed, _ => EntryStatus.Active },
            Url = Str(s["url"]), Email = Str(s["email"]), Phones = phones, Location = loc, OpeningHours = hours, Languages = languages,
            Categories = categories, TargetGroups = targetGroups,
            EligibilityDescription = Str(s["eligibility_description"]), MinimumAge = Int(s["minimum_age"]), MaximumAge = Int(s["maximum_age"]),
            FeesDescription = Str(s["fees_description"]), ApplicationProcess = Str(s["application_process"]), InterpretationServices = Str(s["interpretation_services"]),
            CapacityFree = Capacity(s), WaitingDays = WaitingDays(Str(s["wait_time"])),
        };
    }

    /// <summary>The service's detail rows; what cannot be stored is an error of the row (<paramref name="errors"/>, German).</summary>
    public static HsdsDetails Details(JsonObject s, List<string> errors)
    {
        IEnumerable<JsonObject> Rows(JsonNode? n) => (n as JsonArray)?.OfType<JsonObject>() ?? [];
        string? Date(JsonNode? n, string what)
        {
            var v = Str(n);
            if (v is null) return null;
            if (DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            errors.Add($"{what}: „{EntryRules.Shorten(v)}“ ist kein Datum (JJJJ-MM-TT).");
            return null;
        }
        string? AbsoluteUri(JsonNode? n, string what)
        {
            var v = Str(n);
            if (v is null || Uri.TryCreate(v, UriKind.Absolute, out _)) return v;
            errors.Add($"{what}: „{EntryRules.Shorten(v)}“ ist keine vollständige Adresse (https://…).");
            return null;
        }
        string? Text(JsonNode? n, string what, int max)
        {
            var v = Str(n);
            if (v is null || v.Length <= max) return v;
            errors.Add($"{what} ist zu lang (höchstens {max} Zeichen).");
            return null;
        }

        var contacts = new List<HsdsContact>();
        foreach (var c in Rows(s["contacts"]))
        {
            var contact = new HsdsContact(Text(c["name"], "Kontakt (name)", 300), Text(c["title"], "Kontakt (title)", 300), Text(c["department"], "Kontakt (department)", 300));
            if (contact is not { Name: null, Title: null, Department: null }) contacts.Add(contact);
        }

        var costs = new List<HsdsCostOption>();
        foreach (var c in Rows(s["cost_options"]))
        {
            decimal? amount = null;
            if (Str(c["amount"]) is { } raw)
            {
                if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var a) && a >= 0 && a < 100_000_000m && decimal.Round(a, 2) == a) amount = a;
                else errors.Add($"Kosten (amount): „{EntryRules.Shorten(raw)}“ ist kein Betrag (Zahl ab 0 mit höchstens zwei Nachkommastellen).");
            }
            var currency = Str(c["currency"]);
            if (currency is not null && !System.Text.RegularExpressions.Regex.IsMatch(currency, "^[A-Za-z]{3}$"))
            {
                errors.Add($"Kosten (currency): „{EntryRules.Shorten(currency)}“ ist kein Währungscode wie „EUR“.");
                currency = null;
            }
            var from = Date(c["valid_from"], "Kosten (valid_from)");
            var to = Date(c["valid_to"], "Kosten (valid_to)");
            if (from is not null && to is not null && string.CompareOrdinal(from, to) > 0) errors.Add("Kosten: valid_from liegt nach valid_to.");
            costs.Add(new HsdsCostOption(from, to, Text(c["option"], "Kosten (option)", 300), currency, amount, Text(c["amount_description"], "Kosten (amount_description)", 1000)));
        }

        var documents = new List<HsdsDocument>();
        foreach (var d in Rows(s["required_documents"]))
        {
            var document = Text(d["document"], "Unterlage (document)", 500);
            if (document is null) { errors.Add("Eine benötigte Unterlage (required_documents) hat keine Bezeichnung (document)."); continue; }
            documents.Add(new HsdsDocument(document, AbsoluteUri(d["uri"], "Unterlage (uri)")));
        }

        var areas = new List<HsdsArea>();
        foreach (var a in Rows(s["service_areas"]))
        {
            var name = Text(a["name"], "Einzugsgebiet (name)", 300);
            if (name is null) { errors.Add("Ein Einzugsgebiet (service_areas) hat keinen Namen (name)."); continue; }
            areas.Add(new HsdsArea(name, Text(a["description"], "Einzugsgebiet (description)", 1000), Str(a["extent"]),
                Text(a["extent_type"], "Einzugsgebiet (extent_type)", 50), AbsoluteUri(a["uri"], "Einzugsgebiet (uri)")));
        }

        var location = Rows(s["service_at_locations"]).Select(x => x["location"] as JsonObject).FirstOrDefault(l => l is not null);
        var access = new List<HsdsAccessibility>();
        foreach (var a in Rows(location?["accessibility"]))
        {
            var row = new HsdsAccessibility(Text(a["description"], "Barrierefreiheit (description)", 1000) ?? "", Text(a["details"], "Barrierefreiheit (details)", 1000),
                AbsoluteUri(a["url"], "Barrierefreiheit (url)"));
            // The export's stand-in for "stufenlos" without details is the step-free flag, not a row of its own.
            if (row is { Description: "Stufenloser Zugang", Details: null, Url: null }) continue;
            access.Add(row);
        }

        var extras = new List<HsdsScheduleExtra>();
        foreach (var sch in Rows(s["schedules"]))
        {
            var attending = Text(sch["attending_type"], "Öffnungszeit (attending_type)", 100);
            var notes = Text(sch["notes"], "Öffnungszeit (notes)", 1000);
            if ((attending ?? notes) is null || Str(sch["byday"]) is not { } byday || !EntryRules.TryParseTime(Str(sch["opens_at"]), out var o)) continue;
            foreach (var day in byday.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (Days.TryGetValue(day.Length > 2 ? day[^2..] : day, out var d)) extras.Add(new HsdsScheduleExtra((short)d, o.ToString("HH:mm"), attending, notes));
        }
        return new HsdsDetails(contacts, costs, documents, areas, access, Text(location?["transportation"], "Anfahrt (transportation)", 1000), extras);
    }

    /// <summary>Free places from HSDS 3.1 <c>capacities</c> (our unit, or the only one given).</summary>
    private static int? Capacity(JsonObject s)
    {
        var list = (s["capacities"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var ours = list.FirstOrDefault(c => Str(c["unit"]?["id"]) == Netzwerk.Directory.Hsds.HsdsMapper.PlacesUnitId.ToString()) ?? (list.Count == 1 ? list[0] : null);
        return ours is null ? null : Int(ours["available"]) is { } n && n >= 0 ? n : null;
    }

    /// <summary>Days from the deprecated free-text <c>wait_time</c> as we write it ("ca. 5 Tage Wartezeit", "keine Wartezeit").</summary>
    public static int? WaitingDays(string? waitTime)
    {
        if (string.IsNullOrWhiteSpace(waitTime)) return null;
        if (waitTime.Contains("keine Wartezeit", StringComparison.OrdinalIgnoreCase)) return 0;
        var m = System.Text.RegularExpressions.Regex.Match(waitTime, @"(\d{1,4})\s*(Tage?|days?)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// When the source last updated free places (HSDS 3.1 capacities[].updated) and the waiting time (the "Stand" date
    /// in wait_time as we write it), so that imported figures keep their age instead of looking fresh.
    /// </summary>
    public static (DateTimeOffset? Capacity, DateTimeOffset? Waiting) Stamps(JsonObject s)
    {
        DateTimeOffset? capacity = null, waiting = null;
        var list = (s["capacities"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var ours = list.FirstOrDefault(c => Str(c["unit"]?["id"]) == Netzwerk.Directory.Hsds.HsdsMapper.PlacesUnitId.ToString()) ?? (list.Count == 1 ? list[0] : null);
        if (Str(ours?["updated"]) is { } u && DateTimeOffset.TryParse(u, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) capacity = at.ToUniversalTime();
        var m = System.Text.RegularExpressions.Regex.Match(Str(s["wait_time"]) ?? "", @"Stand (\d{2}\.\d{2}\.\d{4})");
        if (m.Success && DateOnly.TryParseExact(m.Groups[1].Value, "dd.MM.yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            waiting = new DateTimeOffset(d.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        return (capacity, waiting);
    }

    /// <summary>When and by whom the source last checked the entry (<c>assured_date</c>, <c>assurer_email</c>).</summary>
    public static (DateTimeOffset? At, string? By) Assured(JsonObject s)
    {
        var raw = Str(s["assured_date"]);
        DateTimeOffset? at = null;
        if (raw is not null && DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            at = new DateTimeOffset(d.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);   // noon UTC: the same calendar day in Germany
        else if (raw is not null && DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            at = t.ToUniversalTime();
        var by = Str(s["assurer_email"]);
        return (at, by is not null && EntryRules.IsEmail(by) ? by : null);
    }
}
