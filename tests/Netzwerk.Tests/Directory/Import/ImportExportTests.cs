using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Netzwerk.Directory.Import;
using Netzwerk.Tests.Directory.Hsds;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Directory.Import;

public sealed class ImportExportTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    private const string Header = "ID;Träger/Organisation;Angebot;Kategorie;Straße;PLZ;Ort;Telefon;E-Mail;Website;Sprachen;Zielgruppen;Öffnungszeiten;Barrierefrei;Plätze frei;Wartezeit (Tage)";

    private static string Line(string id, string org, string service, string postcode = "01917", string waiting = "7", string hours = "Mo-Fr 09:00-12:00; Do 13:00-18:00")
        => $"{id};{org};{service};Schuldnerberatung;Markt 5;{postcode};Kamenz;03578 1234-{id.Length};info@{org.Split(' ')[0].ToLowerInvariant()}.example;www.{org.Split(' ')[0].ToLowerInvariant()}.example;Deutsch, Arabisch;U25;\"{hours}\";ja;2;{waiting}";

    private static async Task<(HttpStatusCode Status, JsonElement Report)> ImportAsync(HttpClient client, string format, byte[] content, bool dryRun = false, string? mapping = null, bool multipart = false)
    {
        var url = $"/api/directory/imports?format={format}&dryRun={dryRun.ToString().ToLowerInvariant()}" + (mapping is null ? "" : $"&mapping={Uri.EscapeDataString(mapping)}");
        HttpContent body;
        if (multipart)
        {
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(content);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "file", "liste." + format);
            body = form;
        }
        else body = new ByteArrayContent(content);
        var response = await client.PostAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement);
    }

    private async Task<(long Services, long Organizations)> CountsAsync()
    {
        await using var db = await app.OpenDatabaseAsync();
        return (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.service"), await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.organization"));
    }

    [Fact]
    public async Task Csv_list_imports_and_reimport_updates_instead_of_duplicating()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var csv = string.Join("\n", Header, Line("A-1", "Diakonie Lausitz", "Budgetberatung"), Line("A-2", "Diakonie Lausitz", "Energieschuldenberatung"),
            Line("A-3", "Caritas Oberlausitz", "Mietschuldenhilfe", postcode: "02625"));
        var before = await CountsAsync();

        var (status, report) = await ImportAsync(coordinator, "csv", Encoding.UTF8.GetBytes(csv), multipart: true);
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("created").GetInt32().ShouldBe(3);
        report.GetProperty("organizationsCreated").GetInt32().ShouldBe(2);
        report.GetProperty("written").GetBoolean().ShouldBeTrue();
        (await CountsAsync()).ShouldBe((before.Services + 3, before.Organizations + 2));

        await using var db = await app.OpenDatabaseAsync();
        var imported = await db.QuerySingleAsync<(Guid Id, int Waiting, string[] Languages, string[] Categories, bool StepFree)>("""
            SELECT s.id, s.waiting_days, ss.languages, ss.categories, ss.step_free FROM directory.service s
            JOIN directory.service_search ss ON ss.service_id = s.id WHERE s.name = 'Budgetberatung'
            """);
        imported.Waiting.ShouldBe(7);
        imported.Languages.ShouldBe(["ar", "de"], ignoreOrder: true);
        imported.Categories.ShouldContain("schuldnerberatung");
        imported.StepFree.ShouldBeTrue();
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.schedule WHERE service_id = @Id", new { imported.Id })).ShouldBe(6);

        // The same file again: matched by the ID column, nothing new, nothing changed.
        (status, report) = await ImportAsync(coordinator, "csv", Encoding.UTF8.GetBytes(csv));
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("created").GetInt32().ShouldBe(0);
        report.GetProperty("unchanged").GetInt32().ShouldBe(3);
        (await CountsAsync()).ShouldBe((before.Services + 3, before.Organizations + 2));

        // Without the ID column: matched by organisation + service name + postcode; a changed waiting time updates.
        var noIds = string.Join("\n", Header.Replace("ID;", ""), Line("A-1", "Diakonie Lausitz", "Budgetberatung", waiting: "21")[4..]);
        (status, report) = await ImportAsync(coordinator, "csv", Encoding.UTF8.GetBytes(noIds));
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("updated").GetInt32().ShouldBe(1);
        report.GetProperty("preview")[0].GetProperty("changedFields").EnumerateArray().Select(f => f.GetString()).ShouldContain("waitingDays");
        (await CountsAsync()).ShouldBe((before.Services + 3, before.Organizations + 2));
        (await db.ExecuteScalarAsync<int>("SELECT waiting_days FROM directory.service WHERE id = @Id", new { imported.Id })).ShouldBe(21);
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.change_history WHERE entity_id = @Id AND source = 'import' AND field = 'waitingDays' AND new_value = '21'", new { imported.Id })).ShouldBe(1);
    }

    [Fact]
    public async Task A_file_with_one_bad_row_writes_nothing_and_reports_each_row_in_german()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var csv = string.Join("\n", Header,
            Line("B-1", "Volkssolidarität Hoyerswerda", "Seniorenberatung", postcode: "02977"),
            Line("B-2", "Volkssolidarität Hoyerswerda", "Schuldnerhilfe Nord", postcode: "2977"),
            Line("B-3", "Volkssolidarität Hoyerswerda", "Beratung Süd", hours: "Mo 18:00-09:00"),
            "B-4;Volkssolidarität Hoyerswerda;;Gibtesnicht;Markt 1;02977;Hoyerswerda;kein Telefon;x@y;;Klingonisch;;;vielleicht;viele;");
        var before = await CountsAsync();
        var (status, report) = await ImportAsync(coordinator, "csv", Encoding.UTF8.GetBytes(csv));
        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        report.GetProperty("written").GetBoolean().ShouldBeFalse();
        var errors = report.GetProperty("errors").EnumerateArray().Select(e => (Row: e.GetProperty("row").GetInt32(), Message: e.GetProperty("message").GetString()!)).ToList();
        errors.ShouldContain(e => e.Row == 3 && e.Message.Contains("fünf Ziffern"));
        errors.ShouldContain(e => e.Row == 4 && e.Message.Contains("Schließzeit"));
        errors.ShouldContain(e => e.Row == 5 && e.Message.Contains("Pflichtfeld"));
        errors.ShouldContain(e => e.Row == 5 && e.Message.Contains("Telefonnummer"));
        errors.ShouldContain(e => e.Row == 5 && e.Message.Contains("E-Mail"));
        errors.ShouldContain(e => e.Row == 5 && e.Message.Contains("Unbekannte Kategorie"));
        errors.ShouldContain(e => e.Row == 5 && e.Message.Contains("Sprache"));
        errors.ShouldContain(e => e.Row == 5 && e.Message.Contains("ja") && e.Message.Contains("nein"));
        errors.ShouldContain(e => e.Row == 5 && e.Message.Contains("ganze Zahl"));
        errors.ShouldNotContain(e => e.Row == 2);
        (await CountsAsync()).ShouldBe(before);   // not even the good row 2, not the organisation

        var dup = string.Join("\n", Header, Line("C-1", "Tafel Radeberg", "Ausgabe"), Line("C-1", "Tafel Radeberg", "Ausgabe"));
        (status, report) = await ImportAsync(coordinator, "csv", Encoding.UTF8.GetBytes(dup));
        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        report.GetProperty("errors")[0].GetProperty("message").GetString()!.ShouldContain("doppelt");
        (await CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Dry_run_previews_without_writing()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var csv = string.Join("\n", Header, Line("D-1", "Jugendhilfe Bischofswerda", "Jugendberatung", postcode: "01877"));
        var before = await CountsAsync();
        var (status, report) = await ImportAsync(coordinator, "csv", Encoding.UTF8.GetBytes(csv), dryRun: true);
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("dryRun").GetBoolean().ShouldBeTrue();
        report.GetProperty("written").GetBoolean().ShouldBeFalse();
        report.GetProperty("created").GetInt32().ShouldBe(1);
        var row = report.GetProperty("preview")[0];
        row.GetProperty("action").GetString().ShouldBe("neu");
        row.GetProperty("service").GetString().ShouldBe("Jugendberatung");
        (await CountsAsync()).ShouldBe(before);
        await using var db = await app.OpenDatabaseAsync();
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.import_key WHERE external_id = 'D-1'")).ShouldBe(0);
    }

    [Fact]
    public async Task Xlsx_with_renamed_columns_imports_through_the_mapping()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var xlsx = TabularReader.WriteXlsx(["Einrichtung", "Name", "Kategorie", "PLZ", "Ort", "Wartezeit (Tage)", "Notizen"],
            [["Frauenschutzverein Westlausitz", "Gewaltschutzberatung am Abend", "Gewaltschutz", "01917", "Kamenz", "0", "intern"]]);
        var (status, report) = await ImportAsync(coordinator, "xlsx", xlsx, mapping: "Einrichtung=Träger; Name=Angebot", multipart: true);
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("created").GetInt32().ShouldBe(1);
        report.GetProperty("ignoredColumns").EnumerateArray().Select(c => c.GetString()).ShouldBe(["Notizen"]);
        await using var db = await app.OpenDatabaseAsync();
        (await db.ExecuteScalarAsync<string>("""
            SELECT o.name FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id WHERE s.name = 'Gewaltschutzberatung am Abend'
            """)).ShouldBe("Frauenschutzverein Westlausitz");

        var (badStatus, bad) = await ImportAsync(coordinator, "xlsx", Encoding.UTF8.GetBytes("das ist kein Excel"));
        badStatus.ShouldBe(HttpStatusCode.UnprocessableEntity);
        bad.GetProperty("errors")[0].GetProperty("message").GetString()!.ShouldContain("Excel");
        var (mapStatus, map) = await ImportAsync(coordinator, "xlsx", xlsx, mapping: "Einrichtung=Unsinn");
        mapStatus.ShouldBe(HttpStatusCode.UnprocessableEntity);
        map.GetProperty("errors")[0].GetProperty("message").GetString()!.ShouldContain("Zuordnung");
    }

    [Theory]
    [InlineData("service_full.json")]
    [InlineData("organization_full.json")]
    [InlineData("service_list.json")]
    [InlineData("service_at_location_full.json")]
    [InlineData("service_at_location_list.json")]
    [InlineData("organization_list.json")]
    public async Task Hsds_json_examples_import_cleanly_and_again_without_duplicates(string example)
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var bytes = await File.ReadAllBytesAsync(Path.Combine(HsdsSchemas.ExamplesDirectory, example));
        var (status, report) = await ImportAsync(coordinator, "hsds-json", bytes);
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("errors").GetArrayLength().ShouldBe(0);
        report.GetProperty("rows").GetInt32().ShouldBeGreaterThan(0);
        var after = await CountsAsync();
        (status, report) = await ImportAsync(coordinator, "hsds-json", bytes);
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("created").GetInt32().ShouldBe(0);
        (await CountsAsync()).ShouldBe(after);

        await using var db = await app.OpenDatabaseAsync();
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.organization WHERE id = 'd9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610'")).ShouldBe(1);
        if (example.StartsWith("service"))
        {
            var service = await db.QuerySingleAsync<(string Name, int MinimumAge)>("SELECT name, minimum_age FROM directory.service WHERE id = 'ac148810-d857-441c-9679-408f346de14b'");
            service.Name.ShouldBe("Community Counselling");
            service.MinimumAge.ShouldBe(12);
        }
    }

    [Fact]
    public async Task Hsds_csv_example_package_imports_cleanly()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var file in System.IO.Directory.GetFiles(Path.Combine(HsdsSchemas.ExamplesDirectory, "csv")))
                archive.CreateEntryFromFile(file, Path.GetFileName(file));
        var (status, report) = await ImportAsync(coordinator, "hsds-csv", zip.ToArray(), multipart: true);
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("errors").GetArrayLength().ShouldBe(0);
        await using var db = await app.OpenDatabaseAsync();
        var service = await db.QuerySingleAsync<(string Name, Guid Org)>("SELECT name, organization_id FROM directory.service WHERE id = 'ac148810-d857-441c-9679-408f346de14b'");
        service.Name.ShouldBe("Community Counselling");
        service.Org.ShouldBe(Guid.Parse("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"));
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.schedule WHERE service_id = 'ac148810-d857-441c-9679-408f346de14b'")).ShouldBe(2);   // TH, FR
        (await db.ExecuteScalarAsync<string>("""
            SELECT l.city FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
            WHERE sal.service_id = 'ac148810-d857-441c-9679-408f346de14b'
            """)).ShouldBe("MyCity");
    }

    [Fact]
    public async Task Export_as_hsds_json_and_csv_package_validates_and_reimports_without_duplicates()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var json = await coordinator.GetAsync("/api/directory/exports?format=hsds-json");
        json.StatusCode.ShouldBe(HttpStatusCode.OK);
        json.Content.Headers.ContentDisposition!.FileName!.ShouldContain(".json");
        var services = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement;
        services.GetArrayLength().ShouldBeGreaterThanOrEqualTo(300);
        foreach (var s in services.EnumerateArray().Take(25))
            (await HsdsSchemas.ValidateAsync(s.GetRawText(), HsdsSchemas.Service)).ShouldBeEmpty();

        var zipResponse = await coordinator.GetAsync("/api/directory/exports?format=hsds-csv");
        zipResponse.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        var zipBytes = await zipResponse.Content.ReadAsByteArrayAsync();
        using (var archive = new ZipArchive(new MemoryStream(zipBytes)))
        {
            archive.Entries.Select(e => e.Name).ShouldContain("datapackage.json");
            archive.Entries.Select(e => e.Name).ShouldContain("services.csv");
            using var reader = new StreamReader(archive.GetEntry("datapackage.json")!.Open());
            var package = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement;
            package.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("path").GetString()).ShouldContain("service_at_location.csv");
            using var services2 = new StreamReader(archive.GetEntry("services.csv")!.Open());
            (await services2.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(services.GetArrayLength() + 1);
        }

        var before = await CountsAsync();
        var (status, report) = await ImportAsync(coordinator, "hsds-csv", zipBytes, dryRun: true);
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("created").GetInt32().ShouldBe(0);
        report.GetProperty("organizationsCreated").GetInt32().ShouldBe(0);
        (await CountsAsync()).ShouldBe(before);

        var fm = await app.ClientFor("fm.mueller");
        (await fm.GetAsync("/api/directory/exports?format=hsds-json")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_written_import_can_be_confirmed_as_verified_in_one_step()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var csv = Encoding.UTF8.GetBytes(Header + "\n" + Line("VB-1", "Prüfquelle Verein", "Beratung A") + "\n" + Line("VB-2", "Prüfquelle Verein", "Beratung B") + "\n");
        var (status, report) = await ImportAsync(coordinator, "csv", csv);
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        var ids = report.GetProperty("serviceIds").EnumerateArray().Select(i => i.GetGuid()).ToList();
        ids.Count.ShouldBe(2);
        await using (var db = await app.OpenDatabaseAsync())
            (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.service WHERE id = ANY(@ids) AND verified_at IS NOT NULL", new { ids = ids.ToArray() })).ShouldBe(0);

        var verified = await coordinator.PostAsJsonAsync("/api/directory/services/verify-batch", new { serviceIds = ids });
        verified.StatusCode.ShouldBe(HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());
        (await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("verified").GetInt32().ShouldBe(2);
        await using (var db = await app.OpenDatabaseAsync())
            (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.service WHERE id = ANY(@ids) AND verified_via = 'import' AND verified_by IS NOT NULL AND verified_at > now() - interval '5 minutes'",
                new { ids = ids.ToArray() })).ShouldBe(2);

        var empty = await coordinator.PostAsJsonAsync("/api/directory/services/verify-batch", new { serviceIds = Array.Empty<Guid>() });
        empty.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await empty.Content.ReadAsStringAsync()).ShouldContain("Bitte wählen Sie die Einträge");
        (await (await app.ClientFor("fm.mueller")).PostAsJsonAsync("/api/directory/services/verify-batch", new { serviceIds = ids })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var (_, dry) = await ImportAsync(coordinator, "csv", csv, dryRun: true);
        dry.GetProperty("serviceIds").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Oversized_and_unknown_formats_are_refused()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var big = new byte[ImportEndpoints.MaxUploadBytes + 1024];
        (await coordinator.PostAsync("/api/directory/imports?format=csv", new ByteArrayContent(big))).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var unknown = await coordinator.PostAsync("/api/directory/imports?format=pdf", new StringContent("x"));
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("Format");
    }
}
