using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Hsds;
using Netzwerk.Directory.Import;

namespace Netzwerk.Directory.Export;

/// <summary>
/// The catalogue as HSDS 3.0: JSON (an array of fully nested services, the same public fields as the /hsds API)
/// or the tabular form (zip with datapackage.json and one CSV per table).
/// </summary>
public static class HsdsExport
{
    public static async Task<List<JsonObject>> ServicesAsync(DirectoryDbContext db, bool includeRetired, CancellationToken ct)
    {
        var terms = await HsdsEndpoints.TermsAsync(db, ct);
        var query = HsdsMapper.FullServices(db);
        if (!includeRetired) query = query.Where(s => s.Status != EntryStatus.Retired && s.Organization!.Status != EntryStatus.Retired);
        var services = await query.OrderBy(s => s.Name).ThenBy(s => s.Id).ToListAsync(ct);
        return services.Select(s => HsdsMapper.Service(s, terms, full: true)).ToList();
    }

    public static byte[] Json(List<JsonObject> services)
        => JsonSerializer.SerializeToUtf8Bytes(new JsonArray(services.Select(s => (JsonNode)s).ToArray()), new JsonSerializerOptions { WriteIndented = true });

    private static readonly (string Table, string[] Columns)[] Tables =
    [
        ("organizations", ["id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id"]),
        ("services", ["id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status", "interpretation_services", "application_process", "fees_description", "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert", "last_modified"]),
        ("locations", ["id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type"]),
        ("addresses", ["id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type"]),
        ("accessibility", ["id", "location_id", "description", "details", "url"]),
        ("service_at_location", ["id", "service_id", "location_id", "description"]),
        ("phones", ["id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number", "extension", "type", "description"]),
        ("schedules", ["id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes"]),
        ("languages", ["id", "service_id", "location_id", "phone_id", "name", "code", "note"]),
        ("contacts", ["id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title", "department", "email"]),
        ("taxonomies", ["id", "name", "description", "uri", "version"]),
        ("taxonomy_terms", ["id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"]),
        ("attributes", ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"]),
    ];

    public static byte[] CsvPackage(List<JsonObject> services)
    {
        var rows = Tables.ToDictionary(t => t.Table, _ => new Dictionary<string, JsonObject>());
        void Add(string table, JsonObject? o, params (string Key, string? Value)[] links)
        {
            if (o is null || HsdsReader.Str(o["id"]) is not { } id || rows[table].ContainsKey(id)) return;
            var copy = (JsonObject)o.DeepClone();
            foreach (var (k, v) in links) if (v is not null) copy[k] = v;
            rows[table][id] = copy;
        }
        foreach (var s in services)
        {
            var sid = HsdsReader.Str(s["id"]);
            Add("services", s);
            if (s["organization"] is JsonObject org) Add("organizations", org);
            foreach (var p in Items(s, "phones")) Add("phones", p, ("service_id", sid));
            foreach (var x in Items(s, "schedules")) Add("schedules", x, ("service_id", sid));
            foreach (var l in Items(s, "languages")) Add("languages", l, ("service_id", sid));
            foreach (var c in Items(s, "contacts")) Add("contacts", c, ("service_id", sid));
            foreach (var sal in Items(s, "service_at_locations"))
            {
                Add("service_at_location", sal);
                if (sal["location"] is not JsonObject loc) continue;
                Add("locations", loc);
                var lid = HsdsReader.Str(loc["id"]);
                foreach (var a in Items(loc, "addresses")) Add("addresses", a, ("location_id", lid));
                foreach (var a in Items(loc, "accessibility")) Add("accessibility", a, ("location_id", lid));
            }
            foreach (var a in Items(s, "attributes"))
            {
                Add("attributes", a);
                if (a["taxonomy_term"] is not JsonObject term) continue;
                Add("taxonomy_terms", term);
                if (term["taxonomy_detail"] is JsonObject taxonomy) Add("taxonomies", taxonomy);
            }
        }

        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var resources = new JsonArray();
            foreach (var (table, columns) in Tables)
            {
                var entry = zip.CreateEntry($"{table}.csv", CompressionLevel.Fastest);
                using (var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false)))
                using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
                {
                    foreach (var c in columns) csv.WriteField(c);
                    csv.NextRecord();
                    foreach (var row in rows[table].Values)
                    {
                        foreach (var c in columns) csv.WriteField(HsdsReader.Str(row[c]) ?? "");
                        csv.NextRecord();
                    }
                }
                resources.Add(new JsonObject
                {
                    ["name"] = table, ["path"] = $"{table}.csv", ["profile"] = "tabular-data-resource", ["format"] = "csv", ["mediatype"] = "text/csv",
                    ["schema"] = new JsonObject { ["fields"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["type"] = "string" }).ToArray()) },
                });
            }
            var package = new JsonObject
            {
                ["name"] = "netzwerk-katalog", ["title"] = "Netzwerk-Partnerkatalog (HSDS 3.0)", ["profile"] = "tabular-data-package",
                ["version"] = HsdsMapper.Version, ["created"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["resources"] = resources,
            };
            using var pw = new StreamWriter(zip.CreateEntry("datapackage.json").Open(), new UTF8Encoding(false));
            pw.Write(package.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        return ms.ToArray();
    }

    private static IEnumerable<JsonObject> Items(JsonObject o, string key) => (o[key] as JsonArray)?.OfType<JsonObject>() ?? [];
}
