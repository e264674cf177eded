using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Netzwerk.Bench.Search;

/// <summary>
/// Import of a coordinator's partner list with 10,000 rows (CSV, German headers) through
/// <c>POST /api/directory/imports?format=csv</c>, as one all-or-nothing transaction. Prints
/// <c>import rows=10000 seconds=…</c>. The search bench calls <see cref="MeasureAsync"/> with its own app client;
/// <c>bench.sh import</c> runs it alone against a fresh database.
/// </summary>
public static class ImportBench
{
    public const int Rows = 10_000;

    public static async Task RunAsync(string[] args)
    {
        var baseConnection = Environment.GetEnvironmentVariable("ConnectionStrings__Netzwerk")
            ?? throw new InvalidOperationException("ConnectionStrings__Netzwerk fehlt (deploy/bench.sh setzt ihn).");
        var database = $"nz_bench_import_{DateTime.UtcNow:HHmmss}";
        var admin = new NpgsqlConnectionStringBuilder(baseConnection);
        await using (var conn = new NpgsqlConnection(admin.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {database}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(baseConnection) { Database = database }.ConnectionString;
            Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_NETZWERK_WEB", WebContentRoot());
            // Any type of the web assembly names the host's entry point ("Program" here would be the bench's own).
            await using var factory = new WebApplicationFactory<Netzwerk.Web.Hosting.DatabaseReadyCheck>().WithWebHostBuilder(b =>
            {
                b.UseEnvironment("Development");
                b.UseSetting("ConnectionStrings:Netzwerk", connection);
                b.UseSetting("Demo:Enabled", "true");   // taxonomy and demo users (the coordinator signs in with a demo token)
                b.UseSetting("Logging:LogLevel:Default", "Warning");
            });
            var client = factory.CreateClient();
            await MeasureAsync(client);
        }
        finally
        {
            await BenchDatabase.DropAsync(admin.ConnectionString, database);
        }
    }

    private static string WebContentRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "src", "Web", "Netzwerk.Web.csproj"))) return Path.Combine(dir.FullName, "src", "Web");
        return Path.Combine(System.IO.Directory.GetCurrentDirectory(), "src", "Web");
    }

    /// <summary>Imports <see cref="Rows"/> new services as coordinator nk.hoffmann and prints the figure; returns seconds.</summary>
    public static async Task<double> MeasureAsync(HttpClient client, int rows = Rows)
    {
        var token = await client.PostAsJsonAsync("/api/demo/token", new { user = "nk.hoffmann" });
        token.EnsureSuccessStatusCode();
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        var csv = Encoding.UTF8.GetBytes(PartnerList(rows, seed: 42));

        // Warm-up (JIT, EF model, connection pool): a small dry run, rolled back.
        using (var warmUp = new HttpRequestMessage(HttpMethod.Post, "/api/directory/imports?format=csv&dryRun=true") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(PartnerList(50, seed: 7))) })
        {
            warmUp.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            (await client.SendAsync(warmUp)).EnsureSuccessStatusCode();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/directory/imports?format=csv&dryRun=false") { Content = new ByteArrayContent(csv) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var sw = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        sw.Stop();
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Import fehlgeschlagen ({(int)response.StatusCode}): {body[..Math.Min(body.Length, 500)]}");
        var report = JsonDocument.Parse(body).RootElement;
        var created = report.GetProperty("created").GetInt32();
        if (created != rows) throw new InvalidOperationException($"Erwartet {rows} neue Angebote, angelegt {created}.");
        Console.WriteLine($"import rows={rows} seconds={sw.Elapsed.TotalSeconds:0.00} created={created} bytes={csv.Length}");
        return sw.Elapsed.TotalSeconds;
    }

    private static readonly (string Town, string Postcode, string Street)[] Towns =
    [
        ("Kamenz", "01917", "Macherstraße"), ("Bautzen", "02625", "Kornmarkt"), ("Hoyerswerda", "02977", "Lausitzer Platz"),
        ("Radeberg", "01454", "Hauptstraße"), ("Bischofswerda", "01877", "Altmarkt"), ("Pulsnitz", "01896", "Robert-Koch-Straße"),
        ("Königsbrück", "01936", "Weißbacher Straße"),
    ];

    private static readonly (string Category, string[] Services)[] Kinds =
    [
        ("Schuldnerberatung", ["Schuldnerberatung", "Insolvenzberatung", "Budgetberatung"]),
        ("Suchtberatung", ["Suchtberatung", "Suchtnachsorge", "Angehörigenberatung Sucht"]),
        ("Kinderbetreuung", ["Kindertagespflege", "Kita-Platzvermittlung"]),
        ("Migrationsberatung", ["Migrationsberatung für Erwachsene", "Sprachcafé"]),
        ("Familienberatung", ["Erziehungsberatung", "Paar- und Familienberatung"]),
        ("Bildungsträger", ["Berufsorientierung", "Bewerbungstraining", "Deutschkurs B1"]),
    ];

    private static readonly string[] Carriers = ["Diakonie", "Caritas", "AWO", "DRK", "Volkssolidarität", "Paritätischer", "Johanniter", "Malteser", "Kolping", "Lebenshilfe"];
    private static readonly string[] Languages = ["Deutsch", "Deutsch, Englisch", "Deutsch, Arabisch", "Deutsch, Russisch, Ukrainisch", "Deutsch, Polnisch"];
    private static readonly string[] Groups = ["U25", "Alleinerziehende", "Ü50", ""];
    private static readonly string[] Hours = ["Mo-Fr 08:00-12:00", "Mo, Mi 09:00-12:00; Do 13:00-18:00", "Di-Do 09:00-15:00", "Mo-Fr 09:00-12:00, 13:00-16:00"];

    /// <summary>A realistic coordinator list: German headers, ';' separated, quoted where needed.</summary>
    public static string PartnerList(int rows, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder("ID;Träger/Organisation;Angebot;Kategorie;Straße;PLZ;Ort;Telefon;E-Mail;Website;Sprachen;Zielgruppen;Öffnungszeiten;Barrierefrei;Plätze frei;Wartezeit (Tage)\n");
        for (var i = 0; i < rows; i++)
        {
            var (town, postcode, street) = Towns[random.Next(Towns.Length)];
            var (category, services) = Kinds[random.Next(Kinds.Length)];
            var carrier = Carriers[random.Next(Carriers.Length)];
            var org = $"{carrier} {town} Verbund {1 + i / 50}";
            var slug = $"{carrier.ToLowerInvariant()}-{town.ToLowerInvariant()}".Replace("ä", "ae").Replace("ö", "oe").Replace("ü", "ue");
            sb.Append($"L-{i:00000};{org};{services[random.Next(services.Length)]} {i:00000};{category};{street} {1 + random.Next(80)};{postcode};{town};")
              .Append($"0357{random.Next(10)} {random.Next(100000, 999999)};beratung{i}@{slug}.example;www.{slug}.example;\"{Languages[random.Next(Languages.Length)]}\";")
              .Append($"{Groups[random.Next(Groups.Length)]};\"{Hours[random.Next(Hours.Length)]}\";{(random.Next(2) == 0 ? "ja" : "nein")};{random.Next(0, 12)};{random.Next(0, 60)}\n");
        }
        return sb.ToString();
    }
}
