using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Wording;

namespace Netzwerk.Directory.Hsds;

/// <summary>
/// Catalogue entities → Open Referral HSDS 3.0 JSON. Public fields only: no referral e-mail, no cooperation
/// agreement, no staff e-mails of contacts, no "who verified". Empty values are left out (the schemas have no nulls).
/// </summary>
public static class HsdsMapper
{
    public const string Version = "3.0";

    public static IQueryable<Service> FullServices(DirectoryDbContext db) => db.Services.AsNoTracking()
        .Include(s => s.Organization)
        .Include(s => s.Terms)
        .Include(s => s.Locations).ThenInclude(l => l.Location).ThenInclude(l => l!.Accessibility)
        .Include(s => s.Phones).Include(s => s.Schedules).Include(s => s.Languages).Include(s => s.Contacts)
        .Include(s => s.CostOptions).Include(s => s.RequiredDocuments).Include(s => s.ServiceAreas)
        .AsSplitQuery();

    public static string Status(string status) => status switch
    {
        EntryStatus.TemporarilyClosed => "temporarily closed",
        EntryStatus.Retired => "defunct",
        _ => "active",
    };

    public static JsonObject Service(Service s, TermCatalogue terms, bool full)
    {
        var o = new JsonObject();
        Put(o, "id", s.Id);
        Put(o, "organization_id", s.OrganizationId);
        Put(o, "name", s.Name);
        Put(o, "alternate_name", s.AlternateName);
        Put(o, "description", s.Description);
        Put(o, "url", Uri(s.Url));
        Put(o, "email", Email(s.Email));
        Put(o, "status", Status(s.Organization?.Status == EntryStatus.Retired ? EntryStatus.Retired : s.Status));
        Put(o, "interpretation_services", s.InterpretationServices);
        Put(o, "application_process", s.ApplicationProcess);
        Put(o, "fees_description", s.FeesDescription);
        Put(o, "wait_time", WaitTime(s));
        Put(o, "accreditations", s.Accreditations);
        Put(o, "eligibility_description", s.EligibilityDescription);
        if (s.MinimumAge is { } min) o["minimum_age"] = min;
        if (s.MaximumAge is { } max) o["maximum_age"] = max;
        Put(o, "assured_date", s.VerifiedAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        // Only a real address: a coordinator's user name is no e-mail, and a partner who confirmed is named by its contact address.
        Put(o, "assurer_email", Email(s.VerifiedBy));
        Put(o, "alert", s.Alert);
        Put(o, "last_modified", s.ModifiedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        if (!full) return o;

        o["phones"] = Array(s.Phones.OrderBy(p => p.Number).Select(Phone));
        o["schedules"] = Array(s.Schedules.OrderBy(x => x.Weekday).ThenBy(x => x.OpensAt).Select(Schedule));
        o["service_areas"] = Array(s.ServiceAreas.Select(a => Obj(("id", a.Id), ("service_id", s.Id), ("name", a.Name), ("description", a.Description),
            ("extent", a.Extent), ("extent_type", a.ExtentType), ("uri", a.Uri))));
        o["service_at_locations"] = Array(s.Locations.OrderBy(l => l.SortOrder).Select(sal =>
        {
            var x = Obj(("id", sal.Id), ("service_id", s.Id), ("location_id", sal.LocationId), ("description", sal.Description));
            if (sal.Location is not null) x["location"] = Location(sal.Location);
            return x;
        }));
        o["languages"] = Array(s.Languages.OrderBy(l => l.Code).Select(Language));
        if (s.Organization is not null) o["organization"] = Organization(s.Organization, full: false);
        o["cost_options"] = Array(s.CostOptions.Select(c =>
        {
            var x = Obj(("id", c.Id), ("service_id", s.Id), ("valid_from", Date(c.ValidFrom)), ("valid_to", Date(c.ValidTo)), ("option", c.Option),
                ("currency", c.Currency), ("amount_description", c.AmountDescription));
            if (c.Amount is { } amount) x["amount"] = amount;
            return x;
        }));
        o["required_documents"] = Array(s.RequiredDocuments.Select(d => Obj(("id", d.Id), ("service_id", s.Id), ("document", d.Document), ("uri", Uri(d.Uri)))));
        o["contacts"] = Array(s.Contacts.Select(Contact));
        o["attributes"] = Array(s.Terms.Select(t => terms.ById(t.TaxonomyTermId)).Where(t => t is not null).Select(t =>
            Attribute(Derived(s.Id, t!.Id), s.Id, "service", t)));
        // HSDS 3.1 models capacity as service_capacity (wait_time is deprecated since 3.0); 3.0 readers ignore the extra field.
        o["capacities"] = Array(Capacities(s));
        return o;
    }

    /// <summary>The unit of our capacity figure (HSDS 3.1 <c>unit</c>): free places.</summary>
    public static readonly Guid PlacesUnitId = Guid.Parse("5e7a1f00-0000-4000-8000-00000000c0de");

    public const string PlacesUnitName = "freie Plätze";

    public static IEnumerable<JsonObject> Capacities(Service s)
    {
        if (s.CapacityFree is not { } free) yield break;
        var o = Obj(("id", Derived(s.Id, PlacesUnitId)), ("service_id", s.Id), ("description", "Freie Plätze laut Träger"));
        o["unit"] = Obj(("id", PlacesUnitId), ("name", PlacesUnitName), ("scheme", "netzwerk"), ("identifier", "places"));
        o["available"] = free;
        Put(o, "updated", (s.CapacityUpdatedAt ?? s.ModifiedAt).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        yield return o;
    }

    private static string? WaitTime(Service s)
    {
        var parts = new List<string>();
        if (s.WaitingDays is { } d) parts.Add(d == 0 ? "keine Wartezeit" : $"ca. {GermanCount.Days(d)} Wartezeit");
        if (s.CapacityFree is { } c) parts.Add(c == 1 ? "1 freier Platz" : $"{c} freie Plätze");
        var stamp = new[] { s.WaitingUpdatedAt, s.CapacityUpdatedAt }.Max();
        if (parts.Count == 0) return null;
        return string.Join(", ", parts) + (stamp is { } at ? $" (Stand {at:dd.MM.yyyy})" : "");
    }

    public static JsonObject Organization(Organization org, bool full, IEnumerable<Service>? services = null, TermCatalogue? terms = null, bool fullServices = false)
    {
        var o = Obj(("id", org.Id), ("name", org.Name), ("alternate_name", org.AlternateName), ("description", org.Description ?? ""),
            ("email", Email(org.Email)), ("website", Uri(org.Website)), ("legal_status", org.LegalStatus));
        o["description"] = org.Description ?? "";
        if (org.YearIncorporated is { } y) o["year_incorporated"] = y;
        if (!full) return o;
        o["phones"] = Array(org.Phones.Select(Phone));
        o["contacts"] = Array(org.Contacts.Select(Contact));
        o["locations"] = Array(org.Locations.Select(Location));
        if (services is not null && terms is not null) o["services"] = Array(services.Select(s => Service(s, terms, full: fullServices)));
        return o;
    }

    public static JsonObject Location(Location l)
    {
        var o = Obj(("id", l.Id), ("location_type", l.LocationType), ("url", Uri(l.Url)), ("organization_id", l.OrganizationId), ("name", l.Name),
            ("alternate_name", l.AlternateName), ("description", l.Description), ("transportation", l.Transportation));
        if (l.Latitude is { } lat && l.Longitude is { } lon) { o["latitude"] = lat; o["longitude"] = lon; }
        if (l.Address1 is not null || l.City is not null || l.PostalCode is not null)
        {
            var a = Obj(("id", Derived(l.Id, l.Id)), ("location_id", l.Id), ("address_2", l.Address2), ("region", l.Region), ("address_type", "physical"));
            // Required by the address schema even when the catalogue does not know them.
            a["address_1"] = l.Address1 ?? "";
            a["city"] = l.City ?? "";
            a["state_province"] = l.StateProvince ?? "";
            a["postal_code"] = l.PostalCode ?? "";
            a["country"] = l.Country ?? "DE";
            o["addresses"] = new JsonArray(a);
        }
        var access = l.Accessibility.Select(a => Obj(("id", a.Id), ("location_id", l.Id), ("description", a.Description), ("details", a.Details), ("url", Uri(a.Url)))).ToList();
        if (l.StepFree && access.Count == 0)
            access.Add(Obj(("id", Derived(l.Id, Guid.Empty)), ("location_id", l.Id), ("description", "Stufenloser Zugang")));
        o["accessibility"] = Array(access);
        return o;
    }

    public static JsonObject Phone(Phone p)
    {
        var o = Obj(("id", p.Id), ("number", p.Number), ("type", p.Type), ("description", p.Description));
        if (long.TryParse(p.Extension, out var ext)) o["extension"] = ext;
        return o;
    }

    public static JsonObject Schedule(Schedule x) => Obj(("id", x.Id), ("service_id", x.ServiceId), ("location_id", x.LocationId),
        ("valid_from", Date(x.ValidFrom)), ("valid_to", Date(x.ValidTo)), ("freq", "WEEKLY"), ("wkst", "MO"),
        ("byday", ByDay[Math.Clamp((int)x.Weekday, 1, 7) - 1]), ("opens_at", x.OpensAt.ToString("HH:mm")), ("closes_at", x.ClosesAt.ToString("HH:mm")),
        ("description", x.Description ?? $"{OpeningHoursText.DayNames[Math.Clamp((int)x.Weekday, 1, 7) - 1]} {x.OpensAt:HH:mm}–{x.ClosesAt:HH:mm} Uhr"),
        ("attending_type", x.AttendingType), ("notes", x.Notes));

    public static readonly string[] ByDay = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

    public static JsonObject Language(Language l) => Obj(("id", l.Id), ("service_id", l.ServiceId), ("location_id", l.LocationId),
        ("name", l.Name), ("code", l.Code), ("note", l.Note));

    // Contact e-mails are staff addresses: never published.
    public static JsonObject Contact(Contact c) => Obj(("id", c.Id), ("name", c.Name), ("title", c.Title), ("department", c.Department));

    public static JsonObject Taxonomy(Taxonomy t) => Obj(("id", t.Id), ("name", t.Name), ("description", t.Description ?? ""), ("uri", Uri(t.Uri)), ("version", t.Version));

    public static JsonObject TaxonomyTerm(TaxonomyTerm t)
    {
        var o = Obj(("id", t.Id), ("code", t.Code), ("name", t.Name), ("description", t.Description ?? ""), ("parent_id", t.ParentId),
            ("taxonomy", t.Taxonomy?.Name), ("taxonomy_id", t.TaxonomyId), ("language", "de"));
        o["description"] = t.Description ?? "";
        if (t.Taxonomy is not null) o["taxonomy_detail"] = Taxonomy(t.Taxonomy);
        return o;
    }

    public static JsonObject Attribute(Guid id, Guid linkId, string entity, TaxonomyTerm t)
    {
        var o = Obj(("id", id), ("link_id", linkId), ("link_type", t.Taxonomy?.Code), ("link_entity", entity), ("taxonomy_term_id", t.Id), ("value", t.Code));
        o["taxonomy_term"] = TaxonomyTerm(t);
        return o;
    }

    public static JsonObject Page(IEnumerable<JsonNode> contents, int total, int page, int perPage)
    {
        var items = new JsonArray(contents.ToArray());
        var totalPages = Math.Max(1, (int)Math.Ceiling(total / (double)perPage));
        return new JsonObject
        {
            ["total_items"] = total, ["total_pages"] = totalPages, ["page_number"] = page, ["size"] = items.Count,
            ["first_page"] = page == 1, ["last_page"] = page >= totalPages, ["empty"] = items.Count == 0, ["contents"] = items,
        };
    }

    /// <summary>Stable uuid for rows the catalogue keeps without an id of their own (address, attribute).</summary>
    public static Guid Derived(Guid a, Guid b)
    {
        Span<byte> input = stackalloc byte[32];
        a.TryWriteBytes(input[..16]);
        b.TryWriteBytes(input[16..]);
        var hash = MD5.HashData(input);
        hash[7] = (byte)((hash[7] & 0x0F) | 0x30);   // version nibble (name-based)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);   // RFC 4122 variant
        return new Guid(hash);
    }

    private static string? Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static string? Uri(string? u) => u is not null && System.Uri.TryCreate(u, UriKind.Absolute, out _) ? u : null;
    private static string? Email(string? e) => e is not null && EntryRules.IsEmail(e) ? e : null;

    private static JsonArray Array(IEnumerable<JsonNode> items) => new(items.ToArray());

    private static JsonObject Obj(params (string Key, object? Value)[] fields)
    {
        var o = new JsonObject();
        foreach (var (k, v) in fields) Put(o, k, v);
        return o;
    }

    private static void Put(JsonObject o, string key, object? value)
    {
        switch (value)
        {
            case null: return;
            case string s when s.Length == 0 && key is not "description": return;
            case string s: o[key] = s; break;
            case Guid g: o[key] = g.ToString(); break;
            default: o[key] = JsonValue.Create(value); break;
        }
    }
}
