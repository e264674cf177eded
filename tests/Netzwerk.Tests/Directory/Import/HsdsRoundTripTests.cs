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
/// the capacity (HSDS 3.1 capacities, the deprecated wait_time).
/// </summary>
public sealed class HsdsRoundTripTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    private static readonly string[] RowKeys = ["id", "service_id", "location_id", "link_id", "last_modified"];

    /// <summary>
    /// Tables and fields the importer does not take over yet (it writes through the entry form's model, which has no
    /// contacts, cost options, service areas, required documents, accessibility details, transport notes or attending type). Known gap, named here so that
    /// everything else is held to the lossless bar and a new loss fails the test.
    /// </summary>
    private static readonly string[] NotYetImported = ["contacts", "cost_options", "service_areas", "required_documents", "accessibility", "transportation", "attending_type"];

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
        var first = JsonNode.Parse(await coordinator.GetStringAsync("/api/directory/exports?format=hsds-json"))!.AsArray();
        var sample = first.OfType<JsonObject>().Where(s => s["status"]?.GetValue<string>() == "active").Take(40).ToList();
        sample.Count.ShouldBe(40);
        sample.ShouldContain(s => s["assurer_email"] != null);
        sample.ShouldContain(s => s["capacities"]!.AsArray().Count > 0);
        sample.ShouldContain(s => s["wait_time"] != null);

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
    }

    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                    if ((!RowKeys.Contains(k) || (k == "id" && o.ContainsKey("taxonomy_detail"))) && !NotYetImported.Contains(k)) copy[k] = Normalize(v);
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
