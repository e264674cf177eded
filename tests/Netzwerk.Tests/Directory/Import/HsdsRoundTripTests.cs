using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Netzwerk.Tests.Directory.Hsds;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Directory.Import;

/// <summary>
/// Export → import → export keeps every field the catalogue stores (issue 17): the exported services are imported again
/// as new entries (fresh service and location ids) and exported once more; apart from the ids of their rows and the
/// modification stamp, both exports must be the same, including the verification (assured_date / assurer_email) and
/// the capacity (HSDS 3.1 capacities, the deprecated wait_time), contacts, cost options, service areas, required
/// documents, the location's accessibility and transport notes and the opening hours' attending type and notes.
/// </summary>
public sealed class HsdsRoundTripTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    private static readonly string[] RowKeys = ["id", "service_id", "location_id", "link_id", "last_modified"];

    [Fact]
    public async Task Export_import_export_is_lossless_for_every_stored_field()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        // A verification by e-mail (as a partner confirms through its link) must survive as assurer_email.
        await using (var db = await app.OpenDatabaseAsync())
            await db.ExecuteAsync("""
                UPDATE directory.service SET verified_by = 'pruefung@traeger.example', verified_at = now() - interval '40 days'
                WHERE id IN (SELECT id FROM directory.service WHERE status = 'active' ORDER BY name, id LIMIT 5)
                """);
        await AddDetailRowsAsync();
        var first = JsonNode.Parse(await coordinator.GetStringAsync("/api/directory/exports?format=hsds-json"))!.AsArray();
        var sample = first.OfType<JsonObject>().Where(s => s["status"]?.GetValue<string>() == "active").Take(40).ToList();
        sample.Count.ShouldBe(40);
        sample.ShouldContain(s => s["assurer_email"] != null);
        sample.ShouldContain(s => s["capacities"]!.AsArray().Count > 0);
        sample.ShouldContain(s => s["wait_time"] != null);
        foreach (var table in new[] { "contacts", "cost_options", "service_areas", "required_documents" })
            sample.ShouldContain(s => s[table]!.AsArray().Count > 0, table);
        var locations = sample.SelectMany(s => s["service_at_locations"]!.AsArray().OfType<JsonObject>()).Select(sal => sal["location"] as JsonObject).ToList();
        locations.ShouldContain(l => l != null && l["transportation"] != null);
        locations.ShouldContain(l => l != null && l["accessibility"]!.AsArray().OfType<JsonObject>().Any(a => a["details"] != null));
        sample.ShouldContain(s => s["schedules"]!.AsArray().OfType<JsonObject>().Any(x => x["attending_type"] != null && x["notes"] != null));

        // The same entries as new ones: new service and location ids; the organisation stays (it exists).
        var renamed = new Dictionary<Guid, Guid>();
        var copies = new JsonArray();
        foreach (var s in sample)
        {
            var copy = (JsonObject)s.DeepClone();
            var newId = Guid.NewGuid();
            renamed[newId] = Guid.Parse(s["id"]!.GetValue<string>());
            copy["id"] = newId.ToString();
            foreach (var sal in copy["service_at_locations"]!.AsArray().OfType<JsonObject>())
            {
                var loc = Guid.NewGuid().ToString();
                sal["id"] = Guid.NewGuid().ToString();
                sal["location_id"] = loc;
                if (sal["location"] is JsonObject l) l["id"] = loc;
            }
            copies.Add(copy);
        }
        var response = await coordinator.PostAsync("/api/directory/imports?format=hsds-json&dryRun=false",
            new ByteArrayContent(Encoding.UTF8.GetBytes(copies.ToJsonString())) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        var report = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, report);
        JsonDocument.Parse(report).RootElement.GetProperty("created").GetInt32().ShouldBe(40, report);

        var second = JsonNode.Parse(await coordinator.GetStringAsync("/api/directory/exports?format=hsds-json"))!.AsArray()
            .OfType<JsonObject>().ToDictionary(s => Guid.Parse(s["id"]!.GetValue<string>()));
        var differences = new List<string>();
        foreach (var (newId, oldId) in renamed)
        {
            second.TryGetValue(newId, out var again).ShouldBeTrue();
            (await HsdsSchemas.ValidateAsync(again!.ToJsonString(), HsdsSchemas.Service)).ShouldBeEmpty();
            var original = sample.Single(s => s["id"]!.GetValue<string>() == oldId.ToString());
            Compare(Normalize(original), Normalize(again), original["name"]!.GetValue<string>(), differences);
        }
        differences.ShouldBeEmpty(string.Join("\n", differences.Take(40)));

        // The same file again updates the copies' rows instead of adding a second set.
        var ids = renamed.Keys.ToArray();
        var before = await DetailCountsAsync(ids);
        before.Sum().ShouldBeGreaterThan(0);
        var reimport = await coordinator.PostAsync("/api/directory/imports?format=hsds-json&dryRun=false",
            new ByteArrayContent(Encoding.UTF8.GetBytes(copies.ToJsonString())) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        var againReport = await reimport.Content.ReadAsStringAsync();
        reimport.StatusCode.ShouldBe(HttpStatusCode.OK, againReport);
        JsonDocument.Parse(againReport).RootElement.GetProperty("created").GetInt32().ShouldBe(0, againReport);
        (await DetailCountsAsync(ids)).ShouldBe(before);

        // Only a contact changed: the entry counts as updated and holds the new contact (still one set of rows).
        var withContact = copies.OfType<JsonObject>().First(c => c["contacts"]!.AsArray().Count > 0);
        withContact["contacts"]![0]!["name"] = "Herr Neumann";
        var third = await coordinator.PostAsync("/api/directory/imports?format=hsds-json&dryRun=false",
            new ByteArrayContent(Encoding.UTF8.GetBytes(copies.ToJsonString())) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        var thirdReport = JsonDocument.Parse(await third.Content.ReadAsStringAsync()).RootElement;
        thirdReport.GetProperty("preview").EnumerateArray().ShouldContain(r => r.GetProperty("service").GetString() == withContact["name"]!.GetValue<string>()
            && r.GetProperty("action").GetString() == "aktualisiert"
            && r.GetProperty("changedFields").EnumerateArray().Any(f => f.GetString()!.Contains("Kontakte")), thirdReport.ToString());
        (await DetailCountsAsync(ids)).ShouldBe(before);
        await using var check = await app.OpenDatabaseAsync();
        (await check.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.contact WHERE service_id = @id AND name = 'Herr Neumann'",
            new { id = Guid.Parse(withContact["id"]!.GetValue<string>()) })).ShouldBe(1);
    }

    [Fact]
    public async Task Bad_detail_rows_are_german_row_errors_and_nothing_is_written()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var service = JsonNode.Parse(await coordinator.GetStringAsync("/api/directory/exports?format=hsds-json"))!.AsArray()
            .OfType<JsonObject>().First(s => s["status"]?.GetValue<string>() == "active");
        var copy = (JsonObject)service.DeepClone();
        var id = Guid.NewGuid();
        copy["id"] = id.ToString();
        copy["service_at_locations"] = new JsonArray();
        copy["contacts"] = new JsonArray(new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["name"] = "Frau Beispiel" });
        copy["cost_options"] = new JsonArray(new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["amount"] = "zwölf", ["currency"] = "Euro", ["valid_from"] = "31.12.2026" });
        copy["required_documents"] = new JsonArray(new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["uri"] = "https://x.example/a" });
        copy["service_areas"] = new JsonArray(new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["name"] = "Kamenz", ["uri"] = "kein link" });
        var response = await coordinator.PostAsync("/api/directory/imports?format=hsds-json&dryRun=false",
            new ByteArrayContent(Encoding.UTF8.GetBytes(new JsonArray(copy).ToJsonString())) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        var text = await response.Content.ReadAsStringAsync();
        var report = JsonDocument.Parse(text).RootElement;
        report.GetProperty("written").GetBoolean().ShouldBeFalse(text);
        var messages = report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("message").GetString()!)).ToList();
        messages.ShouldContain(m => m.Item1 == 1 && m.Item2.Contains("kein Betrag"), text);
        messages.ShouldContain(m => m.Item2.Contains("kein Währungscode"), text);
        messages.ShouldContain(m => m.Item2.Contains("kein Datum"), text);
        messages.ShouldContain(m => m.Item2.Contains("keine Bezeichnung"), text);
        messages.ShouldContain(m => m.Item2.Contains("keine vollständige Adresse"), text);
        await using var db = await app.OpenDatabaseAsync();
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.service WHERE id = @id", new { id })).ShouldBe(0);
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.contact WHERE service_id = @id", new { id })).ShouldBe(0);
    }

    /// <summary>Detail rows for a few entries, so that the sample holds each kind whatever the demo generator made.</summary>
    private async Task AddDetailRowsAsync()
    {
        await using var db = await app.OpenDatabaseAsync();
        await db.ExecuteAsync("""
            WITH s AS (SELECT id FROM directory.service WHERE status = 'active' ORDER BY name, id LIMIT 3)
            INSERT INTO directory.contact (id, service_id, name, title, department) SELECT gen_random_uuid(), id, 'Frau Weber', 'Beraterin', 'Sozialberatung' FROM s;
            WITH s AS (SELECT id FROM directory.service WHERE status = 'active' ORDER BY name, id LIMIT 3)
            INSERT INTO directory.cost_option (id, service_id, valid_from, valid_to, option, currency, amount, amount_description)
            SELECT gen_random_uuid(), id, date '2026-01-01', date '2026-12-31', 'Eigenanteil', 'EUR', 12.50, 'je Termin' FROM s;
            WITH s AS (SELECT id FROM directory.service WHERE status = 'active' ORDER BY name, id LIMIT 3)
            INSERT INTO directory.required_document (id, service_id, document, uri) SELECT gen_random_uuid(), id, 'Bescheid des Jobcenters', 'https://formulare.example/bescheid' FROM s;
            WITH s AS (SELECT id FROM directory.service WHERE status = 'active' ORDER BY name, id LIMIT 3)
            INSERT INTO directory.service_area (id, service_id, name, description, extent, extent_type, uri)
            SELECT gen_random_uuid(), id, 'Landkreis Bautzen', 'ganzer Landkreis', 'Bautzen', 'text', 'https://www.landkreis-bautzen.de' FROM s;
            WITH l AS (SELECT DISTINCT ON (sal.service_id) sal.location_id FROM directory.service_at_location sal
                       WHERE sal.service_id IN (SELECT id FROM directory.service WHERE status = 'active' ORDER BY name, id LIMIT 3)
                       ORDER BY sal.service_id, sal.sort_order, sal.id)
            INSERT INTO directory.accessibility (id, location_id, description, details, url)
            SELECT gen_random_uuid(), location_id, 'Aufzug', 'bis 2. Etage, Tür 90 cm', 'https://barrierefrei.example/aufzug' FROM l;
            UPDATE directory.location SET transportation = 'Bus 101, Haltestelle Markt'
            WHERE id IN (SELECT sal.location_id FROM directory.service_at_location sal
                         WHERE sal.service_id IN (SELECT id FROM directory.service WHERE status = 'active' ORDER BY name, id LIMIT 3));
            UPDATE directory.schedule SET attending_type = 'in Person', notes = 'nur mit Termin'
            WHERE service_id IN (SELECT id FROM directory.service WHERE status = 'active' ORDER BY name, id LIMIT 3);
            """);
    }

    private async Task<long[]> DetailCountsAsync(Guid[] ids)
    {
        await using var db = await app.OpenDatabaseAsync();
        var counts = new List<long>();
        foreach (var table in new[] { "contact", "cost_option", "required_document", "service_area" })
            counts.Add(await db.ExecuteScalarAsync<long>($"SELECT count(*) FROM directory.{table} WHERE service_id = ANY(@ids)", new { ids }));
        counts.Add(await db.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM directory.accessibility WHERE location_id IN (SELECT location_id FROM directory.service_at_location WHERE service_id = ANY(@ids))
            """, new { ids }));
        return counts.ToArray();
    }

    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                    if ((!RowKeys.Contains(k) || (k == "id" && o.ContainsKey("taxonomy_detail")))) copy[k] = Normalize(v);
                return copy;
            case JsonArray a:
                // Rows of a table have no order of their own: compare them sorted.
                return new JsonArray(a.Select(Normalize).OrderBy(x => x?.ToJsonString(), StringComparer.Ordinal).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    private static void Compare(JsonNode? a, JsonNode? b, string path, List<string> differences)
    {
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (var key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)))
                Compare(oa[key], ob[key], $"{path}.{key}", differences);
            return;
        }
        if (a is JsonArray aa && b is JsonArray ab && aa.Count == ab.Count)
        {
            for (var i = 0; i < aa.Count; i++) Compare(aa[i], ab[i], $"{path}[{i}]", differences);
            return;
        }
        var left = a?.ToJsonString() ?? "null";
        var right = b?.ToJsonString() ?? "null";
        if (left != right) differences.Add($"{path}: {Short(left)} → {Short(right)}");
    }

    private static string Short(string s) => s.Length > 160 ? s[..160] + "…" : s;
}
