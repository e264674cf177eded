using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Directory.Demo;
using Npgsql;

namespace Netzwerk.Bench.Search;

/// <summary>
/// Catalogue search under load: generates N services (binary COPY), hosts the app on Kestrel and fires a
/// mixed query load over HTTP with several concurrent clients; then a naive ILIKE search over the same
/// data with the same concurrency as the baseline. Runs at 3,000 and at 300,000 services.
/// Arguments: --services N --small N --seconds S --clients C --warmup S
/// Clients: 4 by default, two per core of this 2-core machine. The load is a closed loop (each client sends its next
/// query when the answer is in), so with more clients than cores the latencies measure the queue in front of the CPU,
/// not the search; throughput hardly changes (8 clients: about the same qps, twice the latency).
/// </summary>
public static class SearchBench
{
    public static async Task RunAsync(string[] args)
    {
        int Arg(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }
        var big = Arg("--services", 300_000);
        var small = Arg("--small", 3_000);
        var seconds = Arg("--seconds", 20);
        var clients = Arg("--clients", 4);
        // 45 s: with dynamic PGO the JIT instruments and recompiles hot code for well over the first half minute after start
        // (measured after 10 s: p95 19.6 ms at 3,000 services; after 45 s: 9.9 ms).
        var warmup = Arg("--warmup", 45);
        // Development aid: keep (and reuse) the big database under this name instead of a fresh one.
        var reuseIndex = Array.IndexOf(args, "--reuse");
        Reuse = reuseIndex >= 0 && reuseIndex + 1 < args.Length ? args[reuseIndex + 1] : null;

        Run? smallRun = null;
        if (small > 0)
        {
            smallRun = await RunSizeAsync(small, seconds, warmup, clients, withIlike: false);
            Console.WriteLine(FormattableString.Invariant(
                $"search-small services={smallRun.Services} p50_ms={smallRun.P50:0.0} p95_ms={smallRun.P95:0.0} qps={smallRun.Qps:0}"));
        }
        // Import of a 10,000-row partner list (ImportBench): prints "import rows=10000 seconds=…".
        if (!args.Contains("--no-import")) await ImportBench.RunAsync(args);
        var run = await RunSizeAsync(big, seconds, warmup, clients, withIlike: true);
        if (smallRun is not null)
            Console.WriteLine(FormattableString.Invariant($"search at {smallRun.Services} services: p95_ms={smallRun.P95:0.0}"));
        Console.WriteLine(FormattableString.Invariant(
            $"search services={run.Services} p50_ms={run.P50:0.0} p95_ms={run.P95:0.0} qps={run.Qps:0} ilike_p95_ms={run.IlikeP95:0.0}"));
    }

    private static string? Reuse;

    private sealed record Run(long Services, double P50, double P95, double Qps, double IlikeP95);

    private static async Task<Run> RunSizeAsync(int services, int seconds, int warmup, int clients, bool withIlike)
    {
        var baseConnection = Environment.GetEnvironmentVariable("ConnectionStrings__Netzwerk")
            ?? throw new InvalidOperationException("ConnectionStrings__Netzwerk ist nicht gesetzt (deploy/bench.sh setzt es).");
        var reuse = withIlike && Reuse is not null;
        var database = reuse ? Reuse! : $"nz_bench_{Guid.NewGuid():N}"[..24];
        var connectionString = new NpgsqlConnectionStringBuilder(baseConnection) { Database = database, MaxPoolSize = 64, CommandTimeout = 3600 }.ConnectionString;
        var adminConnection = new NpgsqlConnectionStringBuilder(baseConnection) { Database = "postgres" }.ConnectionString;
        var exists = false;
        if (reuse)
        {
            await using var admin = new NpgsqlConnection(adminConnection);
            await admin.OpenAsync();
            exists = await Scalar(admin, $"SELECT 1 FROM pg_database WHERE datname = '{database}'") is not null;
        }
        if (!exists) await ExecAsync(adminConnection, $"CREATE DATABASE \"{database}\" TEMPLATE template1");
        try
        {
            await using var app = new BenchApp(connectionString);
            app.Start();
            var address = app.Address;
            Console.WriteLine($"[search] {services:N0} Angebote: App auf {address}, Datenbank {database}");

            var load = Stopwatch.StartNew();
            long total;
            await using (var conn = new NpgsqlConnection(connectionString))
            {
                await conn.OpenAsync();
                var existing = Convert.ToInt32(await Scalar(conn, "SELECT count(*) FROM directory.service"));
                if (reuse && existing >= services) services = existing;
                var catalogue = DemoCatalogueGenerator.Generate(7, 0, DateTimeOffset.UtcNow, spreadDegrees: 0.04,
                    withDemoPartners: false, towns: BenchTowns, targetServices: Math.Max(0, services - existing));
                Console.WriteLine($"[search] generiert: {catalogue.Organizations.Count:N0} Organisationen, {catalogue.Services.Count:N0} Angebote ({load.Elapsed.TotalSeconds:0.0} s)");
                await using (var tx = await conn.BeginTransactionAsync())
                {
                    foreach (var t in BenchTowns)
                        await Exec(conn, tx, "INSERT INTO directory.postcode VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", t.Postcode, t.Name, t.District, t.Latitude, t.Longitude);
                    await CatalogueBulkWriter.WriteAsync(conn, catalogue, includeTaxonomies: false);
                    await tx.CommitAsync();
                }
                await Exec(conn, null, "CLUSTER directory.service_search USING service_search_cluster");
                await Exec(conn, null, "VACUUM ANALYZE");
                total = Convert.ToInt64(await Scalar(conn, "SELECT count(*) FROM directory.service"));
            }
            Console.WriteLine($"[search] geladen: {total:N0} Angebote in {load.Elapsed.TotalSeconds:0.0} s (COPY + Suchdokumente + VACUUM ANALYZE)");

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            { BaseAddress = address };
            var token = await http.PostAsJsonAsync("/api/demo/token", new { user = "fm.mueller" });
            token.EnsureSuccessStatusCode();
            var accessToken = (await token.Content.ReadFromJsonAsync<TokenResponse>())!.access_token;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

            var queries = Queries(new Random(42), 600);
            async Task SearchAsync(string q)
            {
                using var r = await http.GetAsync("/api/directory/search?" + q, HttpCompletionOption.ResponseContentRead);
                if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)r.StatusCode} für {q}: {await r.Content.ReadAsStringAsync()}");
            }
            // Warm-up: every distinct query once (JIT, plan and buffer caches), not measured.
            foreach (var q in queries.Take(150)) await SearchAsync(q);
            // Then the same concurrent load for a while, not measured either: the runtime compiles hot methods again
            // with full optimisation (tiered JIT) in the first seconds under load; the figure is the sustained rate.
            await LoadAsync(clients, TimeSpan.FromSeconds(warmup), queries, SearchAsync);
            var byQuery = new ConcurrentDictionary<string, ConcurrentBag<double>>();
            var (latencies, elapsed) = await LoadAsync(clients, TimeSpan.FromSeconds(seconds), queries, SearchAsync, byQuery);
            foreach (var kind in QueryKinds.GroupBy(k => k.Name).Select(g => (Indexes: g.Select(k => k.Index).ToHashSet(), Name: g.Key)))
            {
                var ms = queries.Select((q, i) => (q, i)).Where(x => kind.Indexes.Contains(x.i % 10)).SelectMany(x => byQuery.TryGetValue(x.q, out var b) ? b : []).ToList();
                Console.WriteLine(FormattableString.Invariant($"[search]   {kind.Name,-28} n={ms.Count,5} p50={Percentile(ms, 0.5),7:0.0} ms p95={Percentile(ms, 0.95),7:0.0} ms"));
            }
            var p50 = Percentile(latencies, 0.50);
            var p95 = Percentile(latencies, 0.95);
            var qps = latencies.Count / elapsed.TotalSeconds;
            Console.WriteLine(FormattableString.Invariant(
                $"[search] {total:N0} Angebote, {clients} Clients, {latencies.Count} Anfragen in {elapsed.TotalSeconds:0.0} s: p50={p50:0.0} ms p95={p95:0.0} ms p99={Percentile(latencies, 0.99):0.0} ms qps={qps:0}"));

            double ilikeP95 = 0;
            if (withIlike)
            {
                var textQueries = queries.Select(TextOf).Where(t => t is not null).Select(t => t!).ToList();
                await using var source = NpgsqlDataSource.Create(connectionString);
                var (ilike, ilikeElapsed) = await LoadAsync(clients, TimeSpan.FromSeconds(Math.Max(5, seconds / 2)), textQueries, t => IlikeAsync(source, t));
                ilikeP95 = Percentile(ilike, 0.95);
                Console.WriteLine(FormattableString.Invariant(
                    $"[search] ILIKE-Vergleich (naiv, direkt auf PostgreSQL): {ilike.Count} Anfragen in {ilikeElapsed.TotalSeconds:0.0} s: p50={Percentile(ilike, 0.5):0.0} ms p95={ilikeP95:0.0} ms"));
            }
            return new Run(total, p50, p95, qps, ilikeP95);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (!reuse) await BenchDatabase.DropAsync(baseConnection, database);
        }
    }

    private static async Task<(List<double> Latencies, TimeSpan Elapsed)> LoadAsync(int clients, TimeSpan duration, IReadOnlyList<string> work, Func<string, Task> call,
        ConcurrentDictionary<string, ConcurrentBag<double>>? byQuery = null)
    {
        var all = new ConcurrentBag<List<double>>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>();
            while (clock.Elapsed < duration)
            {
                var q = work[(int)((uint)Interlocked.Increment(ref next) % (uint)work.Count)];
                var start = Stopwatch.GetTimestamp();
                await call(q);
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                mine.Add(ms);
                byQuery?.GetOrAdd(q, _ => []).Add(ms);
            }
            all.Add(mine);
        })).ToList();
        await Task.WhenAll(tasks);
        return (all.SelectMany(x => x).ToList(), clock.Elapsed);
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return 0;
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    // ------------------------------------------------------------------ the query mix

    private static readonly string[] Terms =
    [
        "Schuldnerberatung", "Schulden", "Suchtberatung", "Sucht", "Jugendamt", "ASD", "Kita", "Kinderbetreuung", "Drogen", "Alkohol",
        "Migrationsberatung", "Integrationskurs", "Bewerbungscoaching", "Frauenschutzhaus", "Tafel", "Sport", "Familienberatung",
        "Wohnungsnotfallhilfe", "Insolvenzberatung", "Sozialpsychiatrischer Dienst", "Bildung und Teilhabe", "Jugendmigrationsdienst",
        "Schwangerschaftsberatung", "Bewährungshilfe", "Arbeitsgelegenheit", "Existenzgründungsberatung", "Reha", "Hort",
        "Diakonie", "Caritas", "Volkshochschule", "Berufsbildungszentrum", "Handwerkskammer", "Jugendhaus", "Streetwork",
        "Bahnhofstraße", "Müllergasse", "Mueller", "Lindenstrasse", "Freiwilligenagentur", "Pflegehelfer", "Gabelstapler",
    ];

    private static readonly string[] Typos =
    [
        "Schuldnerbertung", "Jugenamt", "Suchtberatnug", "Migrationsberatnug", "Integrationskurz", "Familienberatnug",
        "Kinderbetruung", "Bewerbungscoching", "Volkshochschuhle", "Wohnungsnotfalhilfe",
    ];

    private static readonly string[] Categories =
        ["schuldnerberatung", "suchtberatung", "kinderbetreuung", "jugendamt", "migrationsberatung", "bildungstraeger", "vereine", "familienberatung", "ehrenamt", "gewaltschutz"];

    private static readonly string[] Languages = ["ar", "uk", "ru", "en", "tr", "pl"];

    private static readonly (int Index, string Name)[] QueryKinds =
    [
        (0, "Text"), (1, "Text"), (2, "Text + Ort"), (3, "Tippfehler"), (4, "Tippfehler + Ort"), (5, "Text + Umkreis"),
        (6, "Text + Facetten"), (7, "leer + Kategorie + Umkreis"), (8, "leer + Filter + Umkreis"), (9, "Text + Kategorie, Seite 2"),
    ];

    private static List<string> Queries(Random rng, int count)
    {
        string E(string s) => Uri.EscapeDataString(s);
        T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];
        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var town = Pick(BenchTowns);
            list.Add((i % 10) switch
            {
                0 or 1 => $"q={E(Pick(Terms))}",                                                               // text
                2 => $"q={E(Pick(Terms) + " " + town.Name)}",                                                    // text + town
                3 => $"q={E(Pick(Typos))}",                                                                       // typos
                4 => $"q={E(Pick(Typos) + " " + town.Name)}",
                5 => $"q={E(Pick(Terms))}&near={town.Postcode}&radiusKm={Pick(new[] { 10, 15, 25 })}",           // geo
                6 => $"q={E(Pick(Terms))}&language={Pick(Languages)}&accessible=true&hasCapacity=true",          // facets
                7 => $"category={Pick(Categories)}&near={town.Postcode}&radiusKm=20",                            // empty query, by distance
                8 => $"category={Pick(Categories)}&language={Pick(Languages)}&maxWaitDays=14&near={town.Postcode}&radiusKm=30",
                _ => $"q={E(Pick(Terms))}&category={Pick(Categories)}&page=2",
            });
        }
        return list;
    }

    private static string? TextOf(string query)
    {
        var q = query.Split('&').FirstOrDefault(p => p.StartsWith("q="));
        return q is null ? null : Uri.UnescapeDataString(q[2..]);
    }

    /// <summary>The naive way: ILIKE '%word%' on names, towns and streets for every word, then count.</summary>
    private static async Task IlikeAsync(NpgsqlDataSource source, string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var where = string.Join(" AND ", words.Select((_, i) =>
            $"(s.name ILIKE ${i + 1} OR o.name ILIKE ${i + 1} OR l.city ILIKE ${i + 1} OR l.address_1 ILIKE ${i + 1} OR s.description ILIKE ${i + 1})"));
        var from = $"""
            FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
            LEFT JOIN directory.service_at_location sal ON sal.service_id = s.id LEFT JOIN directory.location l ON l.id = sal.location_id
            WHERE s.status <> 'retired' AND {where}
            """;
        await using var batch = source.CreateBatch();
        var page = new NpgsqlBatchCommand($"SELECT s.id, s.name, o.name, l.city {from} ORDER BY s.name LIMIT 20");
        var count = new NpgsqlBatchCommand($"SELECT count(*) {from}");
        foreach (var w in words)
        {
            page.Parameters.Add(new NpgsqlParameter { Value = $"%{w}%" });
            count.Parameters.Add(new NpgsqlParameter { Value = $"%{w}%" });
        }
        batch.BatchCommands.Add(page);
        batch.BatchCommands.Add(count);
        await using var reader = await batch.ExecuteReaderAsync();
        do { while (await reader.ReadAsync()) { } } while (await reader.NextResultAsync());
    }

    // ------------------------------------------------------------------ places: the Landkreis, larger cities, many small towns

    // Services per place follow its size: a city has hundreds to a few thousand, a small town a hundred or so. (An
    // earlier version put all 300,000 into 85 places, 3,500 services in a town of 15,000 people and 50,000 within
    // 20 km of Kamenz; radius searches then measured that density, not the engine.)

    private static readonly Town[] Cities = new (string Name, string Postcode, double Lat, double Lon)[]
    {
        ("Berlin", "10115", 52.520, 13.405), ("Hamburg", "20095", 53.551, 9.994), ("München", "80331", 48.137, 11.575),
        ("Köln", "50667", 50.938, 6.960), ("Frankfurt am Main", "60311", 50.110, 8.682), ("Stuttgart", "70173", 48.776, 9.182),
        ("Düsseldorf", "40213", 51.227, 6.773), ("Leipzig", "04109", 51.340, 12.375), ("Dortmund", "44135", 51.514, 7.468),
        ("Essen", "45127", 51.456, 7.012), ("Bremen", "28195", 53.079, 8.801), ("Hannover", "30159", 52.375, 9.732),
        ("Nürnberg", "90402", 49.452, 11.077), ("Duisburg", "47051", 51.435, 6.762), ("Bochum", "44787", 51.482, 7.216),
        ("Wuppertal", "42103", 51.256, 7.150), ("Bielefeld", "33602", 52.021, 8.532), ("Bonn", "53111", 50.737, 7.098),
        ("Münster", "48143", 51.960, 7.626), ("Mannheim", "68159", 49.488, 8.466), ("Karlsruhe", "76133", 49.007, 8.404),
        ("Augsburg", "86150", 48.370, 10.898), ("Wiesbaden", "65183", 50.078, 8.240), ("Mönchengladbach", "41061", 51.180, 6.443),
        ("Gelsenkirchen", "45879", 51.517, 7.086), ("Aachen", "52062", 50.776, 6.084), ("Braunschweig", "38100", 52.269, 10.521),
        ("Kiel", "24103", 54.323, 10.123), ("Chemnitz", "09111", 50.833, 12.925), ("Halle (Saale)", "06108", 51.482, 11.970),
        ("Magdeburg", "39104", 52.121, 11.628), ("Freiburg im Breisgau", "79098", 47.999, 7.842), ("Krefeld", "47798", 51.339, 6.586),
        ("Mainz", "55116", 49.993, 8.247), ("Lübeck", "23552", 53.866, 10.687), ("Erfurt", "99084", 50.978, 11.029),
        ("Oberhausen", "46045", 51.470, 6.852), ("Rostock", "18055", 54.092, 12.099), ("Kassel", "34117", 51.312, 9.479),
        ("Hagen", "58095", 51.367, 7.463), ("Potsdam", "14467", 52.391, 13.064), ("Saarbrücken", "66111", 49.234, 6.997),
        ("Hamm", "59065", 51.681, 7.817), ("Ludwigshafen am Rhein", "67059", 49.477, 8.445), ("Oldenburg", "26122", 53.143, 8.214),
        ("Osnabrück", "49074", 52.279, 8.047), ("Leverkusen", "51373", 51.046, 6.998), ("Heidelberg", "69117", 49.398, 8.672),
        ("Darmstadt", "64283", 49.872, 8.651), ("Solingen", "42651", 51.171, 7.083), ("Regensburg", "93047", 49.013, 12.101),
        ("Paderborn", "33098", 51.719, 8.754), ("Ingolstadt", "85049", 48.766, 11.425), ("Würzburg", "97070", 49.791, 9.953),
        ("Ulm", "89073", 48.401, 9.988), ("Wolfsburg", "38440", 52.423, 10.787), ("Göttingen", "37073", 51.541, 9.916),
        ("Zwickau", "08056", 50.718, 12.496), ("Jena", "07743", 50.927, 11.589), ("Cottbus", "03046", 51.756, 14.332),
    }.Select(c => new Town(c.Name, c.Postcode, $"Stadt {c.Name}", c.Lat, c.Lon, "0" + c.Postcode[..3], 40)).ToArray();

    private static readonly Town[] BenchTowns =
    [
        .. DemoCatalogueData.Towns.Select(t => t with { Weight = 3 }),
        .. Cities,
        .. SmallTowns(1_200),
    ];

    /// <summary>Fictional small towns spread over Germany, grouped into districts of about six towns each.</summary>
    private static IEnumerable<Town> SmallTowns(int count)
    {
        string[] first = ["Alt", "Neu", "Ober", "Nieder", "Groß", "Klein", "Bad ", "Hohen", "Linden", "Rosen", "Birken", "Eichen", "Wald", "Berg", "Wiesen", "Stein", "Mühl", "Kirch", "Sonnen", "Buchen"];
        string[] second = ["dorf", "hausen", "feld", "berg", "bach", "stedt", "heim", "au", "hagen", "brück", "walde", "thal", "burg", "rode", "kirchen", "münde", "ingen", "leben", "see", "stein"];
        var rng = new Random(11);
        var used = new HashSet<string>(DemoCatalogueData.Towns.Select(t => t.Postcode).Concat(Cities.Select(c => c.Postcode)));
        string[] rivers = ["", " an der Elbe", " am Main", " an der Saale", " an der Mulde", " am Rhein", " an der Weser", " an der Havel", " an der Spree", " an der Ems"];
        string? district = null;
        for (var i = 0; i < count; i++)
        {
            var name = first[i % first.Length] + second[i / first.Length % second.Length] + rivers[i / (first.Length * second.Length) % rivers.Length];
            string postcode;
            do postcode = rng.Next(1_000, 99_999).ToString("00000", CultureInfo.InvariantCulture); while (!used.Add(postcode));
            if (i % 6 == 0) district = $"Landkreis {name}";
            yield return new Town(name, postcode, district!, Math.Round(47.6 + rng.NextDouble() * 7.0, 4), Math.Round(6.2 + rng.NextDouble() * 8.6, 4),
                "0" + postcode[..3], 2);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private sealed record TokenResponse(string access_token);

    // Any public type of the web assembly names its entry point (this project has its own Program).
    private sealed class BenchApp(string connectionString) : WebApplicationFactory<Netzwerk.Web.Hosting.DatabaseReadyCheck>
    {
        public Uri Address => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        public void Start()
        {
            // The web project lives in src/Web, not in a folder named after its assembly.
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !System.IO.Directory.Exists(Path.Combine(dir.FullName, "src", "Web"))) dir = dir.Parent;
            if (dir is not null) Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_NETZWERK_WEB", Path.Combine(dir.FullName, "src", "Web"));
            UseKestrel(0);
            StartServer();
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Benchmark");

            builder.UseSetting("ConnectionStrings:Netzwerk", connectionString);
            builder.UseSetting("RabbitMq:Host", Environment.GetEnvironmentVariable("RabbitMq__Host") ?? "127.0.0.1");
            builder.UseSetting("RabbitMq:Port", Environment.GetEnvironmentVariable("RabbitMq__Port") ?? "5672");
            builder.UseSetting("RabbitMq:Username", Environment.GetEnvironmentVariable("RabbitMq__Username") ?? "guest");
            builder.UseSetting("RabbitMq:Password", Environment.GetEnvironmentVariable("RabbitMq__Password") ?? "guest");
            builder.UseSetting("Demo:Enabled", "true");
        }
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await Exec(conn, null, sql);
    }

    private static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx) { CommandTimeout = 3600 };
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }
}
