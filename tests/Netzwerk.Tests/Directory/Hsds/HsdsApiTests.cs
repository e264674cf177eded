using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Netzwerk.Directory.Demo;
using Netzwerk.Platform.Identity;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Directory.Hsds;

public sealed class HsdsApiTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    private static readonly Guid Debt = DemoCatalogue.Services.DebtCounsellingKamenz;

    private async Task<string> GetJson(string url)
    {
        var response = await app.Anonymous().GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{url}: {await response.Content.ReadAsStringAsync()}");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        // The open read API may be read from any origin (issue 17).
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["*"], url);
        return await response.Content.ReadAsStringAsync();
    }

    private static bool Has(JsonElement e, string property) => e.TryGetProperty(property, out _);

    [Fact]
    public async Task Service_at_location_by_id_validates_and_matches_the_list()
    {
        var list = await GetJson($"/hsds/service_at_locations?organization_id={DemoUsers.Organizations.DebtCounsellingKamenz}&per_page=50");
        (await HsdsSchemas.ValidatePageAsync(list, HsdsSchemas.ServiceAtLocation)).ShouldBeEmpty();
        var item = JsonDocument.Parse(list).RootElement.GetProperty("contents").EnumerateArray().First(i => i.GetProperty("service_id").GetGuid() == Debt);
        var id = item.GetProperty("id").GetString();

        var json = await GetJson($"/hsds/service_at_locations/{id}");
        (await HsdsSchemas.ValidateAsync(json, HsdsSchemas.ServiceAtLocation)).ShouldBeEmpty();
        var one = JsonDocument.Parse(json).RootElement;
        one.GetProperty("id").GetString().ShouldBe(id);
        one.GetProperty("service_id").GetGuid().ShouldBe(Debt);
        one.GetProperty("location").GetProperty("id").GetString().ShouldBe(item.GetProperty("location_id").GetString());
        // The single item is the full one: the service with its nested tables.
        one.GetProperty("service").GetProperty("schedules").GetArrayLength().ShouldBeGreaterThan(0);
        (await HsdsSchemas.ValidateAsync(one.GetProperty("service").GetRawText(), HsdsSchemas.Service)).ShouldBeEmpty();

        (await app.Anonymous().GetAsync($"/hsds/service_at_locations/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Anonymous().GetAsync("/hsds/service_at_locations/kein-id")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Every_openapi_query_parameter_is_understood()
    {
        var terms = JsonDocument.Parse(await GetJson("/hsds/taxonomy_terms?per_page=200")).RootElement.GetProperty("contents").EnumerateArray().ToList();
        var debtTerm = terms.First(t => t.GetProperty("code").GetString() == "schuldnerberatung");
        var taxonomyId = debtTerm.GetProperty("taxonomy_id").GetString();

        // taxonomy_id: services with any term of that taxonomy; full=true nests every table and still validates.
        var full = await GetJson($"/hsds/services?taxonomy_id={taxonomyId}&full=true&per_page=5");
        (await HsdsSchemas.ValidatePageAsync(full, HsdsSchemas.Service)).ShouldBeEmpty();
        var fullItems = JsonDocument.Parse(full).RootElement.GetProperty("contents").EnumerateArray().ToList();
        fullItems.ShouldNotBeEmpty();
        fullItems.ShouldAllBe(s => Has(s, "schedules") && Has(s, "capacities"));
        var minimal = JsonDocument.Parse(await GetJson($"/hsds/services?taxonomy_id={taxonomyId}&minimal=true&per_page=5")).RootElement;
        minimal.GetProperty("contents").EnumerateArray().ShouldAllBe(s => !Has(s, "schedules"));
        var none = JsonDocument.Parse(await GetJson($"/hsds/services?taxonomy_id={Guid.NewGuid()}")).RootElement;
        none.GetProperty("total_items").GetInt32().ShouldBe(0);

        // top_only: terms without a parent.
        var top = JsonDocument.Parse(await GetJson("/hsds/taxonomy_terms?top_only=true&per_page=200")).RootElement.GetProperty("contents").EnumerateArray().ToList();
        top.ShouldNotBeEmpty();
        top.ShouldAllBe(t => !Has(t, "parent_id") || t.GetProperty("parent_id").ValueKind == JsonValueKind.Null);

        // service_at_locations: taxonomy_term_id, organization_id, search, full.
        var sal = await GetJson($"/hsds/service_at_locations?taxonomy_term_id={debtTerm.GetProperty("id").GetString()}&search=Kamenz&full=true&per_page=10");
        (await HsdsSchemas.ValidatePageAsync(sal, HsdsSchemas.ServiceAtLocation)).ShouldBeEmpty();
        JsonDocument.Parse(sal).RootElement.GetProperty("contents").EnumerateArray().Select(i => i.GetProperty("service_id").GetGuid()).ShouldContain(Debt);

        // organizations: full_service nests the services with their tables.
        var org = await GetJson($"/hsds/organizations/{DemoUsers.Organizations.DebtCounsellingKamenz}?full_service=true");
        (await HsdsSchemas.ValidateAsync(org, HsdsSchemas.Organization)).ShouldBeEmpty();
        JsonDocument.Parse(org).RootElement.GetProperty("services").EnumerateArray().ShouldAllBe(s => Has(s, "schedules"));
        var orgs = await GetJson("/hsds/organizations?full=true&per_page=3");
        (await HsdsSchemas.ValidatePageAsync(orgs, HsdsSchemas.Organization)).ShouldBeEmpty();

        foreach (var bad in new[] { "/hsds/services?format=csv", "/hsds/services?full=vielleicht", "/hsds/taxonomy_terms?taxonomy_id=x" })
        {
            var response = await app.Anonymous().GetAsync(bad);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, bad);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
    }

    [Fact]
    public async Task The_validator_rejects_a_deliberately_invalid_service_and_accepts_the_hsds_example()
    {
        var example = await File.ReadAllTextAsync(Path.Combine(HsdsSchemas.ExamplesDirectory, "service_full.json"));
        (await HsdsSchemas.ValidateAsync(example, HsdsSchemas.Service)).ShouldBeEmpty();

        var invalid = """{ "id": "not-a-uuid", "name": 7, "status": "open", "email": "kein-at-zeichen", "phones": [{ "id": "0b000000-0000-4000-8000-000000000001" }] }""";
        var errors = await HsdsSchemas.ValidateAsync(invalid, HsdsSchemas.Service);
        errors.ShouldContain(e => e.StartsWith("#/id") && e.Contains("Uuid"));
        errors.ShouldContain(e => e.StartsWith("#/name") && e.Contains("StringExpected"));
        errors.ShouldContain(e => e.StartsWith("#/status") && e.Contains("NotInEnumeration"));
        errors.ShouldContain(e => e.StartsWith("#/email") && e.Contains("Email"));
        errors.ShouldContain(e => e.Contains("phones[0]") && e.Contains("ArrayItemNotValid"), string.Join(" | ", errors));   // phone.number missing

        (await HsdsSchemas.ValidatePageAsync("""{ "total_items": "viele", "contents": [] }""", HsdsSchemas.Service)).ShouldNotBeEmpty();
        (await HsdsSchemas.ValidateAsync("""{ "id": "2d0cf4a4-3bd7-4f57-9f49-1b1a0f8e2a55", "name": "x" }""", HsdsSchemas.Organization))
            .ShouldContain(e => e.Contains("description") && e.Contains("PropertyRequired"));
    }

    [Fact]
    public async Task Service_list_and_every_service_validate_against_the_schema()
    {
        var json = await GetJson("/hsds/services?per_page=100");
        (await HsdsSchemas.ValidatePageAsync(json, HsdsSchemas.Service)).ShouldBeEmpty();
        var page = JsonDocument.Parse(json).RootElement;
        page.GetProperty("total_items").GetInt32().ShouldBeGreaterThanOrEqualTo(300);
        page.GetProperty("size").GetInt32().ShouldBe(100);
        page.GetProperty("first_page").GetBoolean().ShouldBeTrue();
        page.GetProperty("last_page").GetBoolean().ShouldBeFalse();

        // Full services: the demo partners and a sample of others.
        var ids = page.GetProperty("contents").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).Take(15).Append(Debt.ToString());
        foreach (var id in ids)
        {
            var service = await GetJson($"/hsds/services/{id}");
            (await HsdsSchemas.ValidateAsync(service, HsdsSchemas.Service)).ShouldBeEmpty($"service {id}");
        }

        var debt = JsonDocument.Parse(await GetJson($"/hsds/services/{Debt}")).RootElement;
        debt.GetProperty("schedules").GetArrayLength().ShouldBeGreaterThan(0);
        debt.GetProperty("languages").EnumerateArray().Select(l => l.GetProperty("code").GetString()).ShouldContain("ar");
        debt.GetProperty("attributes").EnumerateArray().Select(a => a.GetProperty("taxonomy_term").GetProperty("code").GetString()).ShouldContain("schuldnerberatung");
        debt.GetProperty("service_at_locations")[0].GetProperty("location").GetProperty("addresses")[0].GetProperty("city").GetString().ShouldBe("Kamenz");
    }

    [Fact]
    public async Task Only_public_fields_are_published()
    {
        var service = await GetJson($"/hsds/services/{Debt}");
        var organization = await GetJson($"/hsds/organizations/{DemoUsers.Organizations.DebtCounsellingKamenz}");
        foreach (var json in new[] { service, organization })
        {
            json.ShouldNotContain(DemoCatalogue.DebtCounsellingKamenzReferralEmail);
            json.ShouldNotContain("Kooperationsvereinbarung");
            json.ShouldNotContain("referral_email");
            json.ShouldNotContain("assurer_email");
        }
        await using var db = await app.OpenDatabaseAsync();
        var contactEmails = (await db.QueryAsync<string>("SELECT email FROM directory.contact WHERE email IS NOT NULL AND organization_id = @org OR service_id = @Debt",
            new { org = DemoUsers.Organizations.DebtCounsellingKamenz, Debt })).ToList();
        foreach (var email in contactEmails) (service + organization).ShouldNotContain(email);
    }

    [Fact]
    public async Task Organizations_validate_and_filter()
    {
        var json = await GetJson("/hsds/organizations?per_page=50&page=2");
        (await HsdsSchemas.ValidatePageAsync(json, HsdsSchemas.Organization)).ShouldBeEmpty();
        JsonDocument.Parse(json).RootElement.GetProperty("page_number").GetInt32().ShouldBe(2);

        var org = await GetJson($"/hsds/organizations/{DemoUsers.Organizations.AddictionCounsellingBautzen}");
        (await HsdsSchemas.ValidateAsync(org, HsdsSchemas.Organization)).ShouldBeEmpty();
        var services = JsonDocument.Parse(org).RootElement.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();
        services.ShouldContain(DemoCatalogue.Services.AddictionCounsellingBautzen);

        var search = JsonDocument.Parse(await GetJson("/hsds/organizations?search=Suchtberatungs")).RootElement;
        search.GetProperty("contents").EnumerateArray().Select(o => o.GetProperty("id").GetGuid()).ShouldContain(DemoUsers.Organizations.AddictionCounsellingBautzen);

        (await app.Anonymous().GetAsync($"/hsds/organizations/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Service_filters_by_taxonomy_term_organization_search_and_modified_after()
    {
        await using var db = await app.OpenDatabaseAsync();
        var termId = await db.ExecuteScalarAsync<Guid>("SELECT id FROM directory.taxonomy_term WHERE code = 'suchtberatung'");
        var byTerm = JsonDocument.Parse(await GetJson($"/hsds/services?taxonomy_term_id={termId}&per_page=200")).RootElement;
        var expected = await db.ExecuteScalarAsync<int>("""
            SELECT count(*) FROM directory.service_taxonomy_term t JOIN directory.service s ON s.id = t.service_id
            JOIN directory.organization o ON o.id = s.organization_id
            WHERE t.taxonomy_term_id = @termId AND s.status <> 'retired' AND o.status <> 'retired'
            """, new { termId });
        byTerm.GetProperty("total_items").GetInt32().ShouldBe(expected);
        expected.ShouldBeGreaterThan(0);
        byTerm.GetProperty("contents").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ShouldContain(DemoCatalogue.Services.AddictionCounsellingBautzen);

        var byOrg = JsonDocument.Parse(await GetJson($"/hsds/services?organization_id={DemoUsers.Organizations.DebtCounsellingKamenz}")).RootElement;
        byOrg.GetProperty("contents").EnumerateArray().ShouldAllBe(s => s.GetProperty("organization_id").GetGuid() == DemoUsers.Organizations.DebtCounsellingKamenz);
        byOrg.GetProperty("total_items").GetInt32().ShouldBeGreaterThanOrEqualTo(1);

        var bySearch = JsonDocument.Parse(await GetJson("/hsds/services?search=Schuldnerberatung&per_page=200")).RootElement;
        bySearch.GetProperty("contents").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ShouldContain(Debt);

        var future = JsonDocument.Parse(await GetJson($"/hsds/services?modified_after={DateTime.UtcNow.AddYears(5):yyyy-MM-dd}")).RootElement;
        future.GetProperty("empty").GetBoolean().ShouldBeTrue();
        future.GetProperty("total_items").GetInt32().ShouldBe(0);

        var bad = await app.Anonymous().GetAsync("/hsds/services?per_page=0&taxonomy_term_id=abc");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("ganze Zahl");
    }

    [Fact]
    public async Task Service_at_locations_by_postcode_and_proximity_validate_and_are_ordered_by_distance()
    {
        var json = await GetJson("/hsds/service_at_locations?postcode=01917&proximity=3000&per_page=100");
        (await HsdsSchemas.ValidatePageAsync(json, HsdsSchemas.ServiceAtLocation)).ShouldBeEmpty();
        var items = JsonDocument.Parse(json).RootElement.GetProperty("contents").EnumerateArray().ToList();
        items.ShouldNotBeEmpty();
        var distances = items.Select(i => Km(51.2686, 14.0937, i.GetProperty("location").GetProperty("latitude").GetDouble(), i.GetProperty("location").GetProperty("longitude").GetDouble())).ToList();
        distances.ShouldAllBe(d => d <= 3.05);
        distances.ShouldBe(distances.Order().ToList());
        items.Select(i => i.GetProperty("service_id").GetGuid()).ShouldContain(Debt);

        var byPostcode = JsonDocument.Parse(await GetJson("/hsds/service_at_locations?postcode=02625")).RootElement;
        byPostcode.GetProperty("contents").EnumerateArray()
            .ShouldAllBe(i => i.GetProperty("location").GetProperty("addresses")[0].GetProperty("postal_code").GetString() == "02625");

        var unknown = await app.Anonymous().GetAsync("/hsds/service_at_locations?postcode=99999&proximity=1000");
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("nicht bekannt");
    }

    [Fact]
    public async Task Taxonomies_and_terms_validate()
    {
        var taxonomies = await GetJson("/hsds/taxonomies");
        (await HsdsSchemas.ValidatePageAsync(taxonomies, HsdsSchemas.Taxonomy)).ShouldBeEmpty();
        JsonDocument.Parse(taxonomies).RootElement.GetProperty("total_items").GetInt32().ShouldBeGreaterThanOrEqualTo(2);

        var terms = await GetJson("/hsds/taxonomy_terms?per_page=200");
        (await HsdsSchemas.ValidatePageAsync(terms, HsdsSchemas.TaxonomyTerm)).ShouldBeEmpty();
        var first = JsonDocument.Parse(terms).RootElement.GetProperty("contents")[0].GetProperty("id").GetString();
        (await HsdsSchemas.ValidateAsync(await GetJson($"/hsds/taxonomy_terms/{first}"), HsdsSchemas.TaxonomyTerm)).ShouldBeEmpty();

        var root = JsonDocument.Parse(await GetJson("/hsds")).RootElement;
        root.GetProperty("version").GetString().ShouldStartWith("3.0");
    }

    [Fact]
    public async Task A_retired_service_leaves_the_lists_but_stays_readable_as_defunct()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var id = DemoCatalogue.Services.AddictionAftercareBautzen;
        (await coordinator.PostAsync($"/api/directory/services/{id}/retire", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var list = JsonDocument.Parse(await GetJson($"/hsds/services?organization_id={DemoUsers.Organizations.AddictionCounsellingBautzen}&per_page=200")).RootElement;
        list.GetProperty("contents").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ShouldNotContain(id);
        var detail = await GetJson($"/hsds/services/{id}");
        (await HsdsSchemas.ValidateAsync(detail, HsdsSchemas.Service)).ShouldBeEmpty();
        JsonDocument.Parse(detail).RootElement.GetProperty("status").GetString().ShouldBe("defunct");
    }

    private static double Km(double lat1, double lon1, double lat2, double lon2)
    {
        const double r = 6371.0;
        var dLat = (lat2 - lat1) * Math.PI / 180;
        var dLon = (lon2 - lon1) * Math.PI / 180;
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(lat1 * Math.PI / 180) * Math.Cos(lat2 * Math.PI / 180) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * r * Math.Asin(Math.Sqrt(a));
    }
}
