using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Directory.Demo;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Directory;

/// <summary>German search behaviour of GET /api/directory/search against the demo network in PostgreSQL.</summary>
public sealed class SearchTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private async Task<Result> Search(string query, string user = "fm.mueller")
    {
        var client = await app.ClientFor(user);
        var response = await client.GetAsync("/api/directory/search?" + query);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<Result>(body, JsonOptions)!;
    }

    private static string Q(string text) => "q=" + Uri.EscapeDataString(text);

    [Theory]
    [InlineData("Schulden")]
    [InlineData("Schuldnerberatung")]
    [InlineData("schuldnerberatung")]
    public async Task Debt_words_find_debt_counselling(string text)
    {
        var r = await Search(Q(text) + "&pageSize=10");
        r.Total.ShouldBeGreaterThan(5);
        r.Items.Take(5).ShouldAllBe(i => i.Categories.Any(c => c.Code == "schuldnerberatung"));
    }

    [Fact]
    public async Task Sucht_finds_Suchtberatung_and_Suchthilfe()
    {
        var r = await Search(Q("Sucht") + "&pageSize=100");
        r.Items.ShouldContain(i => i.ServiceName.Contains("Suchthilfe"));
        r.Items.ShouldContain(i => i.OrganizationName.Contains("Suchtberatung"));
        r.Items.Take(10).ShouldAllBe(i => i.Categories.Any(c => c.Code == "suchtberatung"));
        r.Items.First().Highlights.ShouldNotBeEmpty();
        r.Items.First().Highlights.First().Html.ShouldContain("<mark>Sucht");
    }

    [Theory]
    [InlineData("Müller")]
    [InlineData("Mueller")]
    [InlineData("Muller")]
    [InlineData("MÜLLER")]
    public async Task Umlauts_in_every_spelling(string text)
    {
        var r = await Search(Q("Praxis " + text) + "&pageSize=50");
        r.Items.ShouldContain(i => i.OrganizationId == DemoCatalogue.PsychotherapyMuellerPulsnitz);
        var hit = r.Items.First(i => i.OrganizationId == DemoCatalogue.PsychotherapyMuellerPulsnitz);
        hit.Highlights.ShouldContain(h => h.Html.Contains("<mark>Müller</mark>"));
    }

    [Theory]
    [InlineData("Macherstraße")]
    [InlineData("Macherstrasse")]
    [InlineData("macherstr")]
    public async Task Sharp_s_and_street_names(string text)
    {
        var r = await Search(Q(text));
        r.Items.Select(i => i.ServiceId).ShouldContain(DemoCatalogue.Services.DebtCounsellingKamenz);
        r.Items.ShouldAllBe(i => i.Location!.Address!.StartsWith("Macherstra"));
    }

    [Theory]
    [InlineData("Schuldnerbertung", "schuldnerberatung")]
    [InlineData("Jugenamt", "jugendamt")]
    [InlineData("Suchtberatnug", "suchtberatung")]
    public async Task Typos_are_corrected(string typed, string category)
    {
        var r = await Search(Q(typed));
        r.Total.ShouldBeGreaterThan(0);
        r.Items.ShouldAllBe(i => i.Categories.Any(c => c.Code == category));
        r.Interpretation.Corrections.ShouldContain(c => c.Typed == typed);
    }

    [Theory]
    [InlineData("ASD", "jugendamt")]
    [InlineData("Kita", "kinderbetreuung")]
    [InlineData("Drogen", "suchtberatung")]
    [InlineData("Alkohol", "suchtberatung")]
    public async Task Abbreviations_and_synonyms(string typed, string category)
    {
        var r = await Search(Q(typed) + "&pageSize=5");
        r.Total.ShouldBeGreaterThan(0);
        r.Items.ShouldAllBe(i => i.Categories.Any(c => c.Code == category));
        r.Interpretation.Synonyms.ShouldContain(s => s.Typed == typed);
    }

    [Fact]
    public async Task Synonyms_are_data_coordinators_maintain()
    {
        (await Search(Q("Geldsorgen"))).Total.ShouldBe(0);
        await using (var db = await app.OpenDatabaseAsync())
            await db.ExecuteAsync("INSERT INTO directory.search_synonym (term, expansions) VALUES ('Geldsorgen', '{Schuldnerberatung}')");
        var r = await Search(Q("Geldsorgen"));
        r.Total.ShouldBeGreaterThan(0);
        r.Items.ShouldAllBe(i => i.Categories.Any(c => c.Code == "schuldnerberatung"));
    }

    [Fact]
    public async Task Partner_names_and_towns()
    {
        var r = await Search(Q("Suchtberatungs- und Behandlungsstelle Bautzen"));
        r.Items.First().OrganizationId.ShouldBe(DemoUsers.Organizations.AddictionCounsellingBautzen);

        var town = await Search(Q("Hoyerswerda") + "&pageSize=100");
        town.Total.ShouldBeGreaterThan(5);
        town.Items.ShouldAllBe(i => i.Location!.City == "Hoyerswerda" || i.OrganizationName.Contains("Hoyerswerda"));
    }

    [Fact]
    public async Task The_case_managers_question_debt_counselling_in_Kamenz_with_free_places_soon_arabic_step_free()
    {
        var r = await Search(Q("Schuldnerberatung") + "&near=01917&radiusKm=10&hasCapacity=true&maxWaitDays=14&language=ar&accessible=true");
        r.Items.Select(i => i.ServiceId).ShouldContain(DemoCatalogue.Services.DebtCounsellingKamenz);
        r.Items.ShouldAllBe(i => i.CapacityFree > 0 && i.WaitingDays <= 14 && i.StepFree
            && i.Languages.Any(l => l.Code == "ar") && i.DistanceKm <= 10);
        var hit = r.Items.First(i => i.ServiceId == DemoCatalogue.Services.DebtCounsellingKamenz);
        hit.Why.ShouldContain(w => w.Contains("Arabisch"));
        hit.Why.ShouldContain(w => w.Contains("km entfernt"));
        hit.WaitingAgeDays.ShouldNotBeNull();
        hit.CapacityAgeDays.ShouldNotBeNull();
        hit.VerifiedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task Facet_counts_match_the_filtered_totals()
    {
        var r = await Search(Q("Beratung"));
        r.Facets.Category.ShouldNotBeEmpty();
        r.Facets.Language.ShouldContain(f => f.Value == "de" && f.Label == "Deutsch");
        foreach (var f in r.Facets.Category.Take(3).Concat(r.Facets.Language.Take(2)).Concat(r.Facets.District.Take(2)).Concat(r.Facets.TargetGroup.Take(2)))
        {
            var param = r.Facets.Category.Contains(f) ? "category" : r.Facets.Language.Contains(f) ? "language"
                : r.Facets.District.Contains(f) ? "district" : "targetGroup";
            var filtered = await Search(Q("Beratung") + $"&{param}={Uri.EscapeDataString(f.Value)}&pageSize=1");
            filtered.Total.ShouldBe(f.Count, $"{param}={f.Value}");
        }
        r.Facets.Category.Sum(f => f.Count).ShouldBeGreaterThanOrEqualTo(r.Total);
        r.Facets.District.Sum(f => f.Count).ShouldBe(r.Total);
    }

    [Fact]
    public async Task Facet_counts_agree_with_the_database()
    {
        var r = await Search("category=suchtberatung&pageSize=1");
        await using var db = await app.OpenDatabaseAsync();
        var expected = await db.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
            WHERE s.status <> 'retired' AND o.status <> 'retired'
              AND EXISTS (SELECT 1 FROM directory.service_taxonomy_term stt JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
                          WHERE stt.service_id = s.id AND tt.code = 'suchtberatung')
            """);
        r.Total.ShouldBe(expected);
        r.Facets.Category.Single(f => f.Value == "suchtberatung").Count.ShouldBe(expected);
    }

    [Fact]
    public async Task Empty_query_with_place_lists_by_distance_within_the_radius()
    {
        var r = await Search("near=01917&radiusKm=15&pageSize=50");
        r.Interpretation.Sort.ShouldBe("distance");
        r.Items.ShouldNotBeEmpty();
        var distances = r.Items.Select(i => i.DistanceKm!.Value).ToList();
        distances.ShouldBe(distances.OrderBy(d => d).ToList());
        distances.ShouldAllBe(d => d <= 15);
        r.Items.First().Location!.City.ShouldBe("Kamenz");

        var byCoordinates = await Search("near=51.2686,14.0937&radiusKm=15&pageSize=1");
        byCoordinates.Total.ShouldBe(r.Total);
    }

    [Fact]
    public async Task Text_with_place_ranks_near_partners_first()
    {
        var r = await Search(Q("Suchtberatung") + "&near=02625&pageSize=5");
        r.Items.First().Location!.City.ShouldBe("Bautzen");
        r.Items.ShouldAllBe(i => i.DistanceKm != null);
    }

    [Fact]
    public async Task Empty_query_with_filters_lists_by_name()
    {
        var r = await Search("category=jugendamt&pageSize=100");
        r.Interpretation.Sort.ShouldBe("name");
        r.Total.ShouldBeGreaterThan(3);
        r.Items.ShouldAllBe(i => i.Categories.Any(c => c.Code == "jugendamt"));
        var names = r.Items.Select(i => i.ServiceName.ToLowerInvariant()).ToList();
        names.ShouldBe(names.OrderBy(n => n, StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task Opening_hours_age_and_capacity_filters()
    {
        var sundayNight = await Search("openOn=" + Uri.EscapeDataString("so 03:00") + "&pageSize=100");
        sundayNight.Total.ShouldBeGreaterThan(0);
        sundayNight.Items.ShouldAllBe(i => i.Categories.Any(c => c.Code == "gewaltschutz"));

        var saturday = await Search("openOn=samstag&pageSize=100");
        await using var db = await app.OpenDatabaseAsync();
        foreach (var hit in saturday.Items)
            (await db.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM directory.schedule WHERE service_id = @id AND weekday = 6)", new { id = hit.ServiceId }))
                .ShouldBeTrue();

        var adults = await Search("age=30&pageSize=100&category=freie_jugendhilfe");
        var all = await Search("pageSize=100&category=freie_jugendhilfe");
        adults.Total.ShouldBeLessThan(all.Total);
        foreach (var hit in adults.Items)
            (await db.ExecuteScalarAsync<bool>("SELECT coalesce(maximum_age, 200) >= 30 AND coalesce(minimum_age, 0) <= 30 FROM directory.service WHERE id = @id", new { id = hit.ServiceId }))
                .ShouldBeTrue();

        var free = await Search("hasCapacity=true&maxWaitDays=7&pageSize=100");
        free.Items.ShouldAllBe(i => i.CapacityFree > 0 && i.WaitingDays <= 7);
    }

    [Fact]
    public async Task Retired_entries_leave_search_but_stay_referable()
    {
        Guid retired;
        string name;
        await using (var db = await app.OpenDatabaseAsync())
        {
            (retired, name) = await db.QueryFirstAsync<(Guid, string)>("""
                SELECT s.id, o.name FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
                WHERE s.organization_id <> @a ORDER BY s.id LIMIT 1
                """, new { a = DemoUsers.Organizations.DebtCounsellingKamenz });
            (await Search(Q(name) + "&pageSize=100")).Items.Select(i => i.ServiceId).ShouldContain(retired);
            await db.ExecuteAsync("UPDATE directory.service SET status = 'retired' WHERE id = @retired", new { retired });
            await db.ExecuteAsync("SELECT directory.refresh_service_search(ARRAY[@retired])", new { retired });
        }
        (await Search(Q(name) + "&pageSize=100")).Items.Select(i => i.ServiceId).ShouldNotContain(retired);
        var summary = await app.Services.GetRequiredService<IServiceLookup>().FindAsync(retired);
        summary!.Status.ShouldBe("retired");
    }

    [Fact]
    public async Task Paging_keeps_the_total_and_moves_on()
    {
        var first = await Search("category=kinderbetreuung&pageSize=5&page=1");
        var second = await Search("category=kinderbetreuung&pageSize=5&page=2");
        second.Total.ShouldBe(first.Total);
        second.Items.Select(i => i.ServiceId).Intersect(first.Items.Select(i => i.ServiceId)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("near=abc", "near")]
    [InlineData("near=99999", "near")]
    [InlineData("near=91,14", "near")]
    [InlineData("radiusKm=5", "radiusKm")]
    [InlineData("near=01917&radiusKm=-3", "radiusKm")]
    [InlineData("openOn=irgendwann", "openOn")]
    [InlineData("openOn=mo%2025:00", "openOn")]
    [InlineData("accessible=vielleicht", "accessible")]
    [InlineData("age=-1", "age")]
    [InlineData("maxWaitDays=zwei", "maxWaitDays")]
    [InlineData("language=arabisch!", "language")]
    [InlineData("sort=beliebt", "sort")]
    [InlineData("q=a&q=b", "q")]
    public async Task Bad_parameters_get_a_German_400(string query, string field)
    {
        var client = await app.ClientFor("fm.mueller");
        var response = await client.GetAsync("/api/directory/search?" + query);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("title").GetString().ShouldBe("Die Anfrage ist fehlerhaft.");
        problem.GetProperty("errors").TryGetProperty(field, out var messages).ShouldBeTrue(problem.ToString());
        messages[0].GetString()!.ShouldNotBeNullOrWhiteSpace();
        // Messages name the field as the user sees it ("Umkreis", "Ort oder Postleitzahl"), never the parameter.
        if (field.Length > 1) messages[0].GetString()!.ShouldNotContain(field, Case.Sensitive);
    }

    [Theory]
    [InlineData("Kamenz")]
    [InlineData("kamenz")]
    [InlineData(" KAMENZ ")]
    public async Task A_town_name_is_a_place_like_its_postcode(string town)
    {
        var byPostcode = await Search("near=01917&radiusKm=15&pageSize=5");
        var byName = await Search("near=" + Uri.EscapeDataString(town) + "&radiusKm=15&pageSize=5");
        byName.Total.ShouldBeGreaterThan(0);
        byName.Total.ShouldBe(byPostcode.Total);
        byName.Items.First().Location!.City.ShouldBe("Kamenz");
        byName.Interpretation.Sort.ShouldBe("distance");
        var umlaut = await Search("near=" + Uri.EscapeDataString("Königsbrück") + "&radiusKm=5&pageSize=5");
        umlaut.Items.First().Location!.City.ShouldBe("Königsbrück");
    }

    [Fact]
    public async Task An_ambiguous_town_name_offers_a_choice_and_the_choice_works()
    {
        await using (var conn = await app.OpenDatabaseAsync())
            await conn.ExecuteAsync("""
                INSERT INTO directory.postcode (postcode, town, district, latitude, longitude) VALUES
                ('01920', 'Neudorf', 'Landkreis Bautzen', 51.2200, 14.1330), ('02829', 'Neudorf', 'Landkreis Görlitz', 51.2000, 14.9000)
                ON CONFLICT DO NOTHING
                """);
        var client = await app.ClientFor("fm.mueller");
        var response = await client.GetAsync("/api/directory/search?near=Neudorf&radiusKm=10");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var message = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("near")[0].GetString()!;
        message.ShouldContain("Neudorf (Landkreis Bautzen)");
        message.ShouldContain("Neudorf (Landkreis Görlitz)");

        var bautzen = await Search("near=" + Uri.EscapeDataString("Neudorf (Landkreis Bautzen)") + "&radiusKm=10&pageSize=50");
        var elstra = await Search("near=51.2200,14.1330&radiusKm=10&pageSize=50");
        bautzen.Total.ShouldBeGreaterThan(0);
        bautzen.Total.ShouldBe(elstra.Total);
        var goerlitz = await Search("near=" + Uri.EscapeDataString("Neudorf (Landkreis Görlitz)") + "&radiusKm=10&pageSize=50");
        goerlitz.Items.Select(i => i.ServiceId).Intersect(bautzen.Items.Select(i => i.ServiceId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unknown_town_is_a_German_400_naming_the_field()
    {
        var client = await app.ClientFor("fm.mueller");
        var response = await client.GetAsync("/api/directory/search?near=Atlantis&radiusKm=10");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var message = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("near")[0].GetString()!;
        message.ShouldContain("Ort oder Postleitzahl");
        message.ShouldContain("Atlantis");
    }

    [Fact]
    public async Task Too_long_text_is_rejected()
    {
        var client = await app.ClientFor("fm.mueller");
        var response = await client.GetAsync("/api/directory/search?" + Q(new string('a', 201)));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Search_needs_sign_in_and_partners_may_search()
    {
        (await app.Anonymous().GetAsync("/api/directory/search?q=Sucht")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Search(Q("Sucht"), user: "partner.schuldner")).Total.ShouldBeGreaterThan(0);
        (await Search(Q("Sucht"), user: "nk.hoffmann")).Total.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Nonsense_finds_nothing_rather_than_everything()
    {
        var r = await Search(Q("xqzvw"));
        r.Total.ShouldBe(0);
        r.Items.ShouldBeEmpty();
    }

    public sealed record Result(long Total, int Page, int PageSize, List<Item> Items, Facets Facets, Interpretation Interpretation);
    public sealed record Item(Guid ServiceId, string ServiceName, Guid OrganizationId, string OrganizationName, List<CodeLabel> Categories,
        List<CodeLabel> Languages, Location? Location, double? DistanceKm, bool StepFree, int? WaitingDays, int? WaitingAgeDays,
        int? CapacityFree, int? CapacityAgeDays, DateTimeOffset? VerifiedAt, List<Highlight> Highlights, List<string> Why);
    public sealed record CodeLabel(string Code, string Label);
    public sealed record Location(string? Name, string? Address, string? PostalCode, string? City, string? District);
    public sealed record Highlight(string Field, string Label, string Html);
    public sealed record Facet(string Value, string Label, long Count);
    public sealed record Facets(List<Facet> Category, List<Facet> TargetGroup, List<Facet> District, List<Facet> Language);
    public sealed record Interpretation(List<string> Terms, List<Correction> Corrections, List<Synonym> Synonyms, string Sort);
    public sealed record Correction(string Typed, List<string> Suggestions);
    public sealed record Synonym(string Typed, List<string> Expansions);
}

/// <summary>With a tiny candidate limit the bounded path runs on the demo data: the total becomes a lower bound.</summary>
public sealed class SearchCandidateLimitTests(SearchCandidateLimitTests.SmallLimitApp app) : IClassFixture<SearchCandidateLimitTests.SmallLimitApp>
{
    public sealed class SmallLimitApp : NetzwerkApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Directory:Search:CandidateLimit"] = "25" };
    }

    [Fact]
    public async Task Broad_search_reports_more_than_the_limit_and_says_facets_are_partial()
    {
        var client = await app.ClientFor("fm.mueller");
        var r = await client.GetFromJsonAsync<JsonElement>("/api/directory/search?q=Beratung&pageSize=10");
        await using var db = await app.OpenDatabaseAsync();
        var matching = await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM directory.service_search WHERE document @@ to_tsquery('simple', '''berat'':*')");
        matching.ShouldBeGreaterThan(30);
        r.GetProperty("total").GetInt64().ShouldBe(25);
        r.GetProperty("totalExact").GetBoolean().ShouldBeFalse();
        r.GetProperty("facetsComplete").GetBoolean().ShouldBeFalse();
        r.GetProperty("items").GetArrayLength().ShouldBe(10);
        // Paging further ranks more candidates: page 3 of 10 needs 30, so the bound grows with it.
        var third = await client.GetFromJsonAsync<JsonElement>("/api/directory/search?q=Beratung&pageSize=10&page=3");
        third.GetProperty("total").GetInt64().ShouldBe(30);
        third.GetProperty("items").GetArrayLength().ShouldBe(10);

        var small = await client.GetFromJsonAsync<JsonElement>("/api/directory/search?q=Insolvenzberatung&near=01917&radiusKm=5");
        small.GetProperty("facetsComplete").GetBoolean().ShouldBeTrue();
        small.GetProperty("totalExact").GetBoolean().ShouldBeTrue();
        var exact = await db.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM directory.service_search ss,
                 (SELECT latitude, longitude FROM directory.postcode WHERE postcode = '01917' ORDER BY town LIMIT 1) p
            WHERE ss.document @@ to_tsquery('simple', '''insolvenzberat'':*')
              AND earth_distance(ss.earth, ll_to_earth(p.latitude, p.longitude)) <= 5000
            """);
        exact.ShouldBeGreaterThan(0);
        small.GetProperty("total").GetInt64().ShouldBe(exact);
    }

    [Fact]
    public async Task The_catalogue_page_says_more_than_when_the_total_is_a_lower_bound()
    {
        var client = await app.ClientFor("fm.mueller");
        var html = await client.GetStringAsync("/katalog?q=Beratung");
        html.ShouldContain("mehr als 25 Angebote");
    }
}
