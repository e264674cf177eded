using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Directory.Demo;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Directory.Maintenance;

public sealed class MaintenanceApiTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    private static object NewService(Guid organizationId, string name, string postcode = "01917") => new
    {
        organizationId,
        name,
        description = "Beratung bei Mietschulden und Energieschulden",
        url = "www.beispiel-traeger.de/angebot",
        email = "beratung@beispiel-traeger.de",
        phones = new[] { new { number = "03578 123456", type = "voice" } },
        location = new { address1 = "Markt 1", postalCode = postcode, city = "Kamenz", stepFree = true },
        openingHours = new[] { new { weekday = 1, opens = "09:00", closes = "12:00" }, new { weekday = 4, opens = "13:00", closes = "18:00" } },
        languages = new[] { "de", "Arabisch" },
        categories = new[] { "schuldnerberatung" },
        targetGroups = new[] { "u25" },
        eligibilityDescription = "Leistungsbeziehende nach SGB II",
        minimumAge = 18,
        capacityFree = 2,
        waitingDays = 14,
        legalBasis = "§16a SGB II",
        payer = "Landkreis",
    };

    private async Task<Guid> CreateOrganizationAsync(HttpClient coordinator, string name)
    {
        var response = await coordinator.PostAsJsonAsync("/api/directory/organizations", new { name, description = "Freier Träger", email = "info@beispiel-traeger.de", phone = "03578 99887" });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<Guid> CreateServiceAsync(HttpClient coordinator, Guid org, string name)
    {
        var response = await coordinator.PostAsJsonAsync("/api/directory/services", NewService(org, name));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<List<JsonElement>> HistoryAsync(HttpClient client, Guid id)
        => (await client.GetFromJsonAsync<List<JsonElement>>($"/api/directory/services/{id}/history"))!;

    [Fact]
    public async Task Coordinator_creates_an_entry_that_is_searchable_and_has_history()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var org = await CreateOrganizationAsync(coordinator, "Mieterhilfe Kamenz e. V.");
        var id = await CreateServiceAsync(coordinator, org, "Mietschuldenberatung Kamenz");

        var entry = await coordinator.GetFromJsonAsync<JsonElement>($"/api/directory/services/{id}/entry");
        var e = entry.GetProperty("entry");
        e.GetProperty("url").GetString().ShouldBe("https://www.beispiel-traeger.de/angebot");
        e.GetProperty("languages").EnumerateArray().Select(x => x.GetString()).ShouldBe(["ar", "de"]);
        e.GetProperty("openingHours").GetArrayLength().ShouldBe(2);
        e.GetProperty("location").GetProperty("latitude").GetDouble().ShouldBe(51.2686, 0.001);   // from the postcode
        entry.GetProperty("waitingUpdatedBy").GetString().ShouldNotBeNullOrEmpty();

        await using var db = await app.OpenDatabaseAsync();
        var search = await db.QuerySingleAsync<(string Status, string[] Categories, string District, bool StepFree)>(
            "SELECT status, categories, district, step_free FROM directory.service_search WHERE service_id = @id", new { id });
        search.Status.ShouldBe("active");
        search.Categories.ShouldContain("schuldnerberatung");
        search.District.ShouldBe("Landkreis Bautzen");   // from the postcode
        search.StepFree.ShouldBeTrue();

        var history = await HistoryAsync(coordinator, id);
        history.ShouldContain(h => h.GetProperty("field").GetString() == "angelegt" && h.GetProperty("newValue").GetString() == "Mietschuldenberatung Kamenz"
                                   && h.GetProperty("oldValue").ValueKind == JsonValueKind.Null);
        history.ShouldAllBe(h => h.GetProperty("changedBy").GetString()!.Length > 0 && h.GetProperty("source").GetString() == "pflege");
    }

    [Fact]
    public async Task Edits_are_recorded_field_by_field_with_old_and_new_value()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var org = await CreateOrganizationAsync(coordinator, "Verein Neustart Bautzen");
        var id = await CreateServiceAsync(coordinator, org, "Neustart-Beratung");
        var body = JsonSerializer.SerializeToElement(NewService(org, "Neustart-Beratung"), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        var changed = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(body.GetRawText())!;
        changed["waitingDays"] = JsonSerializer.SerializeToElement(30);
        changed["phones"] = JsonSerializer.SerializeToElement(new[] { new { number = "03591 55555" } });
        changed["openingHours"] = JsonSerializer.SerializeToElement(new[] { new { weekday = 2, opens = "08:00", closes = "15:30" } });
        (await coordinator.PutAsJsonAsync($"/api/directory/services/{id}", changed)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var history = await HistoryAsync(coordinator, id);
        var waiting = history.First(h => h.GetProperty("field").GetString() == "waitingDays");
        waiting.GetProperty("oldValue").GetString().ShouldBe("14");
        waiting.GetProperty("newValue").GetString().ShouldBe("30");
        var phones = history.First(h => h.GetProperty("field").GetString() == "phones");
        phones.GetProperty("oldValue").GetString().ShouldBe("03578 123456");
        phones.GetProperty("newValue").GetString().ShouldBe("03591 55555");
        history.First(h => h.GetProperty("field").GetString() == "openingHours").GetProperty("newValue").GetString().ShouldBe("Di 08:00-15:30");
        // Unchanged fields do not appear.
        history.ShouldNotContain(h => h.GetProperty("field").GetString() == "name");
        history.Count(h => h.GetProperty("field").GetString() == "angelegt").ShouldBe(1);

        await using var db = await app.OpenDatabaseAsync();
        (await db.ExecuteScalarAsync<int>("SELECT waiting_days FROM directory.service_search WHERE service_id = @id", new { id })).ShouldBe(30);
    }

    [Fact]
    public async Task Invalid_entries_get_german_field_errors_and_nothing_is_written()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        await using var db = await app.OpenDatabaseAsync();
        var before = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.service");
        var response = await coordinator.PostAsJsonAsync("/api/directory/services", new
        {
            organizationId = DemoUsers.Organizations.DebtCounsellingKamenz,
            name = "",
            url = "kein url",
            email = "beratung(at)traeger.de",
            phones = new[] { new { number = "Ruf mich an" } },
            location = new { address1 = "Markt 1", postalCode = "1917", city = "Kamenz" },
            openingHours = new object[] { new { weekday = 1, opens = "14:00", closes = "09:00" }, new { weekday = 9, opens = "09:00", closes = "10:00" }, new { weekday = 2, opens = "25:00", closes = "26:00" } },
            categories = new[] { "gibt-es-nicht" },
            minimumAge = 30, maximumAge = 20,
        });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        errors.GetProperty("name")[0].GetString()!.ShouldContain("Pflichtfeld");
        errors.GetProperty("url")[0].GetString()!.ShouldContain("Website");
        errors.GetProperty("email")[0].GetString()!.ShouldContain("E-Mail");
        errors.GetProperty("phones[0].number")[0].GetString()!.ShouldContain("Telefonnummer");
        errors.GetProperty("location.postalCode")[0].GetString()!.ShouldContain("fünf Ziffern");
        errors.GetProperty("openingHours[0].closes")[0].GetString()!.ShouldContain("nach der Öffnungszeit");
        errors.GetProperty("openingHours[1].weekday")[0].GetString()!.ShouldContain("Wochentag");
        errors.GetProperty("openingHours[2].opens")[0].GetString()!.ShouldContain("keine Uhrzeit");
        errors.GetProperty("categories")[0].GetString()!.ShouldContain("Unbekannte Kategorie");
        errors.GetProperty("maximumAge")[0].GetString()!.ShouldContain("Höchstalter");
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.service")).ShouldBe(before);

        (await coordinator.PutAsJsonAsync($"/api/directory/services/{Guid.NewGuid()}", new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var malformed = await coordinator.PostAsync("/api/directory/services", new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"));
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Verify_and_retire_with_the_verification_due_list()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var org = await CreateOrganizationAsync(coordinator, "Familienzentrum Pulsnitz");
        var id = await CreateServiceAsync(coordinator, org, "Familienberatung Pulsnitz");

        var due = await coordinator.GetFromJsonAsync<JsonElement>("/api/directory/verification-due?pageSize=200");
        due.GetProperty("total").GetInt32().ShouldBeGreaterThan(0);
        due.GetProperty("items").EnumerateArray().ShouldAllBe(i => i.GetProperty("verificationDue").GetBoolean());
        var dueSearch = await coordinator.GetFromJsonAsync<JsonElement>("/api/directory/entries?due=true&q=Familienberatung Pulsnitz");
        dueSearch.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ShouldContain(id);   // never verified

        (await coordinator.PostAsync($"/api/directory/services/{id}/verify", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var entry = await coordinator.GetFromJsonAsync<JsonElement>($"/api/directory/services/{id}/entry");
        entry.GetProperty("verifiedBy").GetString()!.ShouldNotBeNullOrEmpty();
        entry.GetProperty("verifiedAt").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
        (await coordinator.GetFromJsonAsync<JsonElement>("/api/directory/entries?due=true&q=Familienberatung Pulsnitz"))
            .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ShouldNotContain(id);

        await using var db = await app.OpenDatabaseAsync();
        var stale = await db.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM directory.service WHERE status <> 'retired' AND (verified_at IS NULL OR verified_at < now() - interval '365 days')
            """);
        (await coordinator.GetFromJsonAsync<JsonElement>("/api/directory/verification-due")).GetProperty("total").GetInt32().ShouldBe((int)stale);

        (await coordinator.PostAsync($"/api/directory/services/{id}/retire", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await coordinator.PostAsync($"/api/directory/services/{id}/retire", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var fm = await app.ClientFor("fm.mueller");
        var search = await fm.GetFromJsonAsync<JsonElement>("/api/directory/search?q=Familienberatung%20Pulsnitz");
        search.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("serviceId").GetGuid()).ShouldNotContain(id);
        var lookup = await app.Services.GetRequiredService<IServiceLookup>().FindAsync(id);
        lookup!.Status.ShouldBe("retired");   // still referable
        (await HistoryAsync(coordinator, id)).ShouldContain(h => h.GetProperty("field").GetString() == "status" && h.GetProperty("newValue").GetString() == "retired");
    }

    [Theory]
    [InlineData("fm.mueller")]
    [InlineData("partner.schuldner")]
    [InlineData("tl.weber")]
    public async Task Only_coordinators_edit(string user)
    {
        var client = await app.ClientFor(user);
        var service = DemoCatalogue.Services.DebtCounsellingKamenz;
        (await client.PostAsJsonAsync("/api/directory/services", NewService(DemoUsers.Organizations.DebtCounsellingKamenz, "Versuch"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PutAsJsonAsync($"/api/directory/services/{service}", NewService(DemoUsers.Organizations.DebtCounsellingKamenz, "Versuch"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsJsonAsync("/api/directory/organizations", new { name = "Versuch" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsync($"/api/directory/services/{service}/verify", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsync($"/api/directory/services/{service}/retire", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync($"/api/directory/services/{service}/history")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsync("/api/directory/imports?format=csv", new StringContent("Träger,Angebot\nA,B"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsJsonAsync("/api/directory/synonyms", new { term = "JC", expansions = new[] { "Jobcenter" } })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.Anonymous().PostAsJsonAsync("/api/directory/organizations", new { name = "Versuch" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Partner_updates_availability_of_own_service_only()
    {
        var partner = await app.ClientFor("partner.schuldner");
        var own = DemoCatalogue.Services.DebtCounsellingKamenz;
        var response = await partner.PutAsJsonAsync($"/api/directory/services/{own}/availability", new
        {
            capacityFree = 5, waitingDays = 3,
            openingHours = new[] { new { weekday = 3, opens = "10:00", closes = "16:00" } },
        });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await using var db = await app.OpenDatabaseAsync();
        var row = await db.QuerySingleAsync<(int Capacity, string CapacityBy, DateTime CapacityAt, int Waiting, string WaitingBy)>(
            "SELECT capacity_free, capacity_updated_by, capacity_updated_at, waiting_days, waiting_updated_by FROM directory.service WHERE id = @own", new { own });
        row.Capacity.ShouldBe(5);
        row.Waiting.ShouldBe(3);
        row.CapacityBy.ShouldNotBeNullOrEmpty();
        row.WaitingBy.ShouldBe(row.CapacityBy);
        row.CapacityAt.ShouldBeGreaterThan(DateTime.UtcNow.AddMinutes(-5));
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.schedule WHERE service_id = @own", new { own })).ShouldBe(1);
        (await db.ExecuteScalarAsync<int>("SELECT waiting_days FROM directory.service_search WHERE service_id = @own", new { own })).ShouldBe(3);
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.change_history WHERE entity_id = @own AND source = 'partner' AND field = 'waitingDays'", new { own })).ShouldBe(1);

        var other = DemoCatalogue.Services.AddictionCounsellingBautzen;
        (await partner.PutAsJsonAsync($"/api/directory/services/{other}/availability", new { waitingDays = 1 })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await partner.PostAsJsonAsync($"/api/directory/services/{other}/proposals", new { changes = new { description = "x" } })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await db.ExecuteScalarAsync<int>("SELECT waiting_days FROM directory.service WHERE id = @other", new { other })).ShouldNotBe(1);

        var bad = await partner.PutAsJsonAsync($"/api/directory/services/{own}/availability", new { waitingDays = -2, openingHours = new[] { new { weekday = 1, opens = "12:00", closes = "08:00" } } });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("Wartezeit");

        var fm = await app.ClientFor("fm.mueller");
        (await fm.PutAsJsonAsync($"/api/directory/services/{own}/availability", new { waitingDays = 1 })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var mine = await partner.GetFromJsonAsync<List<JsonElement>>("/api/directory/partner/services");
        mine!.ShouldAllBe(s => s.GetProperty("organizationId").GetGuid() == DemoUsers.Organizations.DebtCounsellingKamenz);
        mine!.Select(s => s.GetProperty("id").GetGuid()).ShouldContain(own);
    }

    [Fact]
    public async Task Partner_proposals_are_accepted_with_history_or_rejected_with_a_reason()
    {
        var partner = await app.ClientFor("partner.sucht");
        var coordinator = await app.ClientFor("nk.hoffmann");
        var service = DemoCatalogue.Services.DrugCounsellingBautzen;

        var proposal = await partner.PostAsJsonAsync($"/api/directory/services/{service}/proposals", new
        {
            changes = new { description = "Beratung zu Crystal Meth, Cannabis und Alkohol – auch anonym.", email = "drogen@suchtberatung-bautzen.example" },
            note = "Neue Schwerpunkte seit Oktober",
        });
        proposal.StatusCode.ShouldBe(HttpStatusCode.Created, await proposal.Content.ReadAsStringAsync());
        var proposalId = (await proposal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        // Not applied yet.
        await using var db = await app.OpenDatabaseAsync();
        (await db.ExecuteScalarAsync<string>("SELECT description FROM directory.service WHERE id = @service", new { service }))!.ShouldNotContain("Crystal Meth");

        var pending = await coordinator.GetFromJsonAsync<List<JsonElement>>("/api/directory/proposals");
        var mine = pending!.Single(p => p.GetProperty("id").GetGuid() == proposalId);
        mine.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("field").GetString()).ShouldBe(["description", "email"], ignoreOrder: true);
        (await partner.GetAsync("/api/directory/proposals")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await partner.PostAsync($"/api/directory/proposals/{proposalId}/accept", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await coordinator.PostAsync($"/api/directory/proposals/{proposalId}/accept", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await coordinator.PostAsync($"/api/directory/proposals/{proposalId}/accept", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await db.ExecuteScalarAsync<string>("SELECT description FROM directory.service WHERE id = @service", new { service }))!.ShouldContain("Crystal Meth");
        var history = await HistoryAsync(coordinator, service);
        history.ShouldContain(h => h.GetProperty("field").GetString() == "email" && h.GetProperty("source").GetString() == "vorschlag"
                                   && h.GetProperty("changedBy").GetString()!.Contains("Vorschlag von"));

        var second = await partner.PostAsJsonAsync($"/api/directory/services/{service}/proposals", new { changes = new { name = "Drogenberatung XXL" } });
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var noReason = await coordinator.PostAsJsonAsync($"/api/directory/proposals/{secondId}/reject", new { reason = "" });
        noReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noReason.Content.ReadAsStringAsync()).ShouldContain("Grund");
        (await coordinator.PostAsJsonAsync($"/api/directory/proposals/{secondId}/reject", new { reason = "Name bitte wie im Vertrag" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var rejected = await coordinator.GetFromJsonAsync<JsonElement>($"/api/directory/proposals/{secondId}");
        rejected.GetProperty("status").GetString().ShouldBe("rejected");
        rejected.GetProperty("reason").GetString().ShouldBe("Name bitte wie im Vertrag");
        (await db.ExecuteScalarAsync<string>("SELECT name FROM directory.service WHERE id = @service", new { service })).ShouldNotBe("Drogenberatung XXL");

        var invalid = await partner.PostAsJsonAsync($"/api/directory/services/{service}/proposals", new { changes = new { email = "kaputt" } });
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Coordinators_extend_the_taxonomy_and_the_synonyms()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var term = await coordinator.PostAsJsonAsync("/api/directory/taxonomy-terms", new { taxonomy = "partnerart", name = "Tafel und Lebensmittelhilfe" });
        term.StatusCode.ShouldBe(HttpStatusCode.Created, await term.Content.ReadAsStringAsync());
        var terms = await coordinator.GetFromJsonAsync<List<JsonElement>>("/api/directory/taxonomy-terms");
        terms!.ShouldContain(t => t.GetProperty("code").GetString() == "tafel-und-lebensmittelhilfe" && t.GetProperty("taxonomy").GetString() == "partnerart");
        var org = await CreateOrganizationAsync(coordinator, "Tafel Kamenz");
        var created = await coordinator.PostAsJsonAsync("/api/directory/services", new { organizationId = org, name = "Lebensmittelausgabe", categories = new[] { "Tafel und Lebensmittelhilfe" } });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        var synonym = await coordinator.PostAsJsonAsync("/api/directory/synonyms", new { term = "Essen", expansions = new[] { "Tafel", "Lebensmittelhilfe" } });
        synonym.StatusCode.ShouldBe(HttpStatusCode.Created);
        var duplicate = await coordinator.PostAsJsonAsync("/api/directory/synonyms", new { term = "essen", expansions = new[] { "Mittagstisch" } });
        duplicate.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await duplicate.Content.ReadAsStringAsync()).ShouldContain("bereits");
        (await coordinator.GetFromJsonAsync<List<JsonElement>>("/api/directory/synonyms"))!
            .ShouldContain(s => s.GetProperty("term").GetString() == "Essen");
    }
}
