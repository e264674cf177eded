using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Netzwerk.Tests.Security;

/// <summary>
/// Walks every operation of the app's own OpenAPI document (a new endpoint is covered without being listed here) and
/// calls it as a role that may call it (<see cref="RoleEndpointMatrixTests.Entitled"/>) and one that may not, with valid
/// input and a fixed set of hostile variants. Fails on any 5xx, any exception name or stack trace in a body, any 2xx with
/// data for a role that must not call the operation (or for a foreign id), any row left behind by a refused (4xx)
/// request, and any failure of a valid request sent right after a refused one (a poisoned pooled connection).
/// All failures are collected and reported together. Deterministic: <c>new Random(1234)</c>.
/// </summary>
public sealed class FuzzTests(FuzzTests.FuzzApp app, ITestOutputHelper output) : IClassFixture<FuzzTests.FuzzApp>
{
    /// <summary>
    /// The app with a small connection pool (one of the four is the outbox's LISTEN connection): a connection that a
    /// failed statement left in a broken state comes back to the next requests at once, so the probe after each refused
    /// request meets it instead of some request much later.
    /// </summary>
    public sealed class FuzzApp : NetzwerkApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            // Small, so that a poisoned connection comes back soon; not below what the app's background work holds at once
            // (the outbox's LISTEN connection, dispatcher, deadline poller, mail sender, consumers, group commits): with 4, a
            // loaded CI machine once timed out waiting for a connection.
            ["ConnectionStrings:Netzwerk"] = ConnectionString + ";Maximum Pool Size=8;Timeout=30",
        };
    }

    private const int MaxStringTargets = 6;     // string fields per operation that get every text variant
    private const int MaxOtherTargets = 8;      // number/date/id/array/object fields per operation
    private const int MaxQueryParams = 6;       // query parameters per operation that get every query variant

    private static readonly string[] EntitledPreference = ["fm.mueller", "partner.schuldner", "nk.hoffmann", "ds.becker", "admin", "tl.weber"];
    private static readonly string[] OutsiderPreference = ["partner.sucht", "fm.yilmaz", "ds.becker", "nk.hoffmann", "tl.weber", "admin"];

    /// <summary>Known-valid bodies where the schema alone is too thin to build valid input ("METHOD /path" as in the document).</summary>
    private static JsonNode? ValidBody(string key) => key switch
    {
        "POST /api/demo/token" => Node(new { user = "fm.mueller" }),
        "POST /api/referrals" => Node(FuzzFixtures.ReferralBody(FuzzFixtures.DebtService)),
        "POST /api/referrals/{id}/consent" => Node(FuzzFixtures.ConsentBody()),
        "POST /api/referrals/{id}/cancel" => Node(new { reason = "Frau M. ist umgezogen" }),
        "POST /api/referrals/{id}/close" => Node(new { outcome = "completed", reasonCode = "completed-with-result" }),
        "POST /api/partner/referrals/{id}/accept" => Node(new { appointmentAt = DateTimeOffset.UtcNow.AddDays(3).ToString("yyyy-MM-ddTHH:mm:ssZ"), note = "Termin steht" }),
        "POST /api/partner/referrals/{id}/decline" => Node(new { reasonCode = "no-capacity" }),
        "POST /api/partner/referrals/{id}/waitlist" => Node(new { note = "Warteliste bis März" }),
        "POST /api/partner/referrals/{id}/forward" => Node(new { proposedServiceId = FuzzFixtures.InsolvencyService, note = "Insolvenzberatung passt besser" }),
        "POST /api/partner/referrals/{id}/appointment" => Node(new { appointmentAt = DateTimeOffset.UtcNow.AddDays(5).ToString("yyyy-MM-ddTHH:mm:ssZ") }),
        "POST /api/partner/referrals/{id}/attendance" => Node(new { attended = true }),
        "POST /api/partner/referrals/{id}/progress" => Node(new { note = "Gläubigerliste erstellt" }),
        "POST /api/partner/referrals/{id}/outcome" => Node(new { reasonCode = "completed-with-result", note = "Plan steht" }),
        "POST /api/directory/organizations" or "PUT /api/directory/organizations/{id}" => Node(FuzzFixtures.OrganizationBody("Fuzz-Träger Valide " + Unique)),
        "POST /api/directory/services" or "PUT /api/directory/services/{id}" =>
            Node(FuzzFixtures.ServiceBody(Netzwerk.Platform.Identity.DemoUsers.Organizations.DebtCounsellingKamenz, "Fuzz-Angebot Valide " + Unique)),
        "PUT /api/directory/services/{id}/availability" => Node(new { capacityFree = 5, waitingDays = 3, openingHours = new[] { new { weekday = 3, opens = "10:00", closes = "16:00" } } }),
        "POST /api/directory/services/{id}/proposals" => Node(new { changes = new { description = "Beratung auch anonym", email = "drogen@suchtberatung.example" }, note = "Neue Schwerpunkte" }),
        "POST /api/directory/proposals/{id}/reject" => Node(new { reason = "Name bitte wie im Vertrag" }),
        "POST /api/directory/taxonomy-terms" or "PUT /api/directory/taxonomy-terms/{id}" => Node(new { taxonomy = "partnerart", name = "Fuzz Lebensmittelhilfe " + Unique }),
        "POST /api/directory/synonyms" or "PUT /api/directory/synonyms/{id}" => Node(new { term = "fuzzessen" + Unique, expansions = new[] { "Tafel", "Lebensmittelhilfe" }, note = "Fuzz" }),
        "POST /api/absences" => Node(new { startsOn = GermanTime.Today.AddDays(30).ToString("yyyy-MM-dd"), endsOn = GermanTime.Today.AddDays(31).ToString("yyyy-MM-dd") }),
        "PUT /api/routes/{categoryCode}" => Node(new
        {
            name = "Fuzz-Weg",
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data" }, defaultFeedbackLevel = "full" },
                new { kind = "approval" },
                new { kind = "intake", questions = new[] { new { id = "ziel", text = "Was soll erreicht werden?", required = true, category = "contact-data" } } },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 2 }, escalationWorkingDays = 10, escalationTarget = Roles.TeamLead },
                new { kind = "progress", everyWeeks = 2 },
                new { kind = "goal-review", everyMonths = 6 },
                new { kind = "close-proposal", afterWorkingDaysWithoutNews = 40 },
            },
        }),
        // A referral id the route does not know: the valid call is answered (404), and the fuzzed ids and versions must never reach a 5xx.
        "POST /api/routes/{key}/migrations/preview" or "POST /api/routes/{key}/migrations" =>
            Node(new { toVersion = 1, referralIds = new[] { Guid.Parse("0195f0a0-0000-7000-8000-000000000001") } }),
        "POST /api/admin/dead-letters/replay" => Node(new { queue = "referrals-feedback-inbox_error", max = 1 }),
        _ => null,
    };

    /// <summary>Query values a valid call needs (required parameters, and parameters the handler reads from the raw query).</summary>
    private static List<(string Name, string Value)> ValidQuery(string key) => key switch
    {
        "GET /api/referrals/suggestions" => [("serviceId", FuzzFixtures.DebtService.ToString())],
        "POST /api/directory/imports" => [("format", "csv"), ("dryRun", "true")],
        "GET /api/directory/search" => [("q", "Schulden")],
        "GET /hsds/services" or "GET /hsds/organizations" => [("search", "Beratung")],
        _ => [],
    };

    /// <summary>
    /// Parameters these handlers read from HttpRequest.Query themselves, so the document does not list them
    /// (a finding in itself: they should be declared). Fuzzed like documented ones.
    /// </summary>
    private static string[] UndocumentedQuery(string path) => path switch
    {
        "/api/directory/search" => ["q", "near", "category", "targetGroup", "language", "district", "openOn", "age", "maxWaitDays", "radiusKm", "page", "pageSize", "sort", "hasCapacity"],
        "/hsds/service_at_locations" => ["search", "postcode", "proximity", "page", "per_page", "taxonomy_term_id", "organization_id", "modified_after"],
        _ when path.StartsWith("/hsds/") && !path.Contains('{') => ["search", "page", "per_page", "taxonomy_term_id", "organization_id", "modified_after", "taxonomy_id", "parent_id"],
        _ => [],
    };

    private static JsonNode Node(object o) => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(o, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)))!;

    private sealed record Variant(string Name, Dictionary<string, string>? Path = null, List<(string Name, string Value)>? Query = null,
        Func<HttpContent?>? Content = null, bool Foreign = false, bool AlsoAsOutsider = false, bool Hostile = true, string? MustBeRefused = null);

    private readonly List<string> _failures = [];
    private readonly Dictionary<string, HttpClient> _clients = new();
    private int _requests;
    private int _probeCount;

    private async Task<HttpClient> ClientAsync(string? user)
    {
        var key = user ?? "(anonym)";
        if (_clients.TryGetValue(key, out var c)) return c;
        c = user is null ? app.Anonymous() : await app.ClientFor(user);
        return _clients[key] = c;
    }

    [Fact]
    public async Task Every_operation_of_the_openapi_document_survives_hostile_input()
    {
        var clock = Stopwatch.StartNew();
        var rng = new Random(1234);
        var json = await (await ClientAsync(null)).GetStringAsync("/openapi/v1.json");
        var doc = new OpenApiDocument(json);
        var fixtures = new FuzzFixtures(app);
        var rows = new RowCounter(app.ConnectionString);
        await rows.SnapshotAsync();
        var entitled = RoleEndpointMatrixTests.Entitled.ToDictionary(e => NormaliseKey(e.Key), e => e.Value);
        var perOperation = new List<string>();
        var covered = 0;

        foreach (var op in doc.Operations.OrderBy(o => o.Path, StringComparer.Ordinal).ThenBy(o => o.Method))
        {
            if (!entitled.TryGetValue(op.Key, out var roles))
            {
                _failures.Add($"{op.Key} (nicht klassifiziert) → fehlt in RoleEndpointMatrixTests.Entitled; ohne Berechtigungstabelle nicht prüfbar");
                continue;
            }
            covered++;
            var isPublic = roles.Any(r => !Roles.All.Contains(r));
            var insider = isPublic ? null : EntitledPreference.Concat(DemoUsers.All.Select(u => u.UserName))
                .First(u => roles.Contains(DemoUsers.Find(u)!.Role));
            string? outsider = null;
            var hasOutsider = !isPublic;
            if (hasOutsider) outsider = OutsiderPreference.FirstOrDefault(u => !roles.Contains(DemoUsers.Find(u)!.Role)); // null = anonymous

            var statuses = new SortedDictionary<int, int>();
            int? validStatus = null;
            var variants = Variants(op, doc, rng).ToList();
            foreach (var v in variants)
            {
                var status = await SendAndCheckAsync(op, v, insider, insider, entitledCaller: true, fixtures, rows);
                if (status is { } s) statuses[s] = statuses.GetValueOrDefault(s) + 1;
                if (!v.Hostile) validStatus = status;
                if (hasOutsider && (!v.Hostile || v.AlsoAsOutsider))
                    await SendAndCheckAsync(op, v, outsider, insider, entitledCaller: false, fixtures, rows);
            }
            perOperation.Add($"{op.Key} als {insider ?? "anonym"} / {(hasOutsider ? outsider ?? "anonym" : "—")}: {variants.Count} Varianten; gültig → {validStatus}; "
                             + string.Join(", ", statuses.Select(kv => $"{kv.Key}×{kv.Value}")));
        }

        output.WriteLine($"Fuzz: {covered} von {doc.Operations.Count} Operationen, {_requests} Anfragen (davon {_probeCount} Kontrollanfragen), {clock.Elapsed.TotalSeconds:F0} s");
        output.WriteLine($"Zeilen gezählt in {rows.Tables.Count} Tabellen: {string.Join(", ", rows.Tables)}");
        foreach (var p in fixtures.Problems) output.WriteLine("Hinweis: " + p);
        foreach (var line in perOperation) output.WriteLine("  " + line);
        var distinct = _failures.Distinct().ToList();
        output.WriteLine($"{distinct.Count} Fehler:");
        foreach (var f in distinct) output.WriteLine("  " + f);
        covered.ShouldBeGreaterThan(40); // the walk must not silently skip everything
        distinct.ShouldBeEmpty($"{distinct.Count} Fehler beim Fuzzen:\n" + string.Join("\n", distinct));
    }

    /// <summary>"POST /api/referrals/{id:guid}" → "POST /api/referrals/{id}" (the document has no route constraints).</summary>
    private static string NormaliseKey(string key) => Regex.Replace(key, @"\{(\w+)(:[^}]*)?\}", "{$1}");

    private async Task<int?> SendAndCheckAsync(ApiOperation op, Variant v, string? user, string? insider, bool entitledCaller, FuzzFixtures fixtures, RowCounter rows)
    {
        var caller = user ?? "anonym";
        var label = $"{op.Method} {op.Path} [{v.Name}{(entitledCaller ? "" : ", nicht berechtigt")} als {caller}]";
        HttpRequestMessage request;
        List<string> usedKinds;
        try { (request, usedKinds) = await BuildAsync(op, v, fixtures); }
        catch (Exception e)
        {
            _failures.Add($"{label} → Testaufbau gescheitert: {Short(e.Message)}");
            return null;
        }

        var mutating = op.Mutating;
        var before = mutating ? await rows.SnapshotAsync() : null;
        var client = await ClientAsync(user);
        HttpResponseMessage response;
        string body;
        try
        {
            response = await client.SendAsync(request);
            body = await response.Content.ReadAsStringAsync();
        }
        catch (Exception e)
        {
            // The in-memory test server rethrows what the app did not handle.
            _requests++;
            _failures.Add($"{label} → Ausnahme im Server: {e.GetType().Name}: {Short(e.Message)}");
            return 0;
        }
        _requests++;
        var status = (int)response.StatusCode;
        var where = $"{label} → {status}: {Short(body)}";

        if (status >= 500) _failures.Add(where);
        else if (Hostile.ExceptionMarkerIn(body) is { } marker) _failures.Add($"{where} (enthält „{marker}“)");

        var success = status is >= 200 and < 300;
        if (!entitledCaller && success && !Hostile.IsEmptyJson(body)) _failures.Add($"{where} (Daten für eine nicht berechtigte Rolle)");
        if (!entitledCaller && !success && !Hostile.IsRefusal(response) && status < 500 && status is not (400 or 405 or 413 or 415 or 422 or 429))
            _failures.Add($"{where} (nicht berechtigte Rolle weder abgewiesen noch 4xx)");
        if (entitledCaller && v.Foreign && success && !Hostile.IsEmptyJson(body)) _failures.Add($"{where} (fremdes Objekt beantwortet)");
        if (entitledCaller && v.MustBeRefused is not null && success) _failures.Add($"{where} ({v.MustBeRefused})");

        if (success && mutating) foreach (var kind in usedKinds) fixtures.Consume(kind);

        if (status >= 400)
        {
            if (before is not null)
            {
                var after = await rows.SnapshotAsync();
                var diff = rows.Diff(before, after);
                if (diff.Length > 0) _failures.Add($"{label} → {status}, aber Zeilen geändert: {diff}");
            }
            // After every refused (or failed) request: does the next valid request of another user still work?
            if (v.Hostile || !entitledCaller) await ProbeAsync(op, label, status, insider, fixtures);
        }
        return status;
    }

    private static async Task<(HttpRequestMessage Request, List<string> UsedKinds)> BuildAsync(ApiOperation op, Variant v, FuzzFixtures fixtures)
    {
        var usedKinds = new List<string>();
        var url = new StringBuilder();
        foreach (var segment in op.Path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            url.Append('/');
            var m = Regex.Match(segment, @"^\{(\w+)\}$");
            if (!m.Success) { url.Append(segment); continue; }
            var name = m.Groups[1].Value;
            if (v.Path is not null && v.Path.TryGetValue(name, out var overridden))
            {
                url.Append(overridden.StartsWith('@') ? await fixtures.GetAsync(overridden[1..]) : overridden);
                continue;
            }
            var p = op.Parameters.FirstOrDefault(x => x.Name == name && x.In == "path") ?? new ApiParameter(name, "path", true, null);
            var (kind, _) = FuzzFixtures.KindFor(op, p);
            if (kind is null) url.Append(Guid.NewGuid());
            else if (kind.StartsWith('=')) url.Append(Uri.EscapeDataString(kind[1..]));
            else { url.Append(await fixtures.GetAsync(kind)); usedKinds.Add(kind); }
        }
        var query = v.Query ?? ValidQuery(op.Key).Select(q => (q.Name, Uri.EscapeDataString(q.Value))).ToList();
        if (query.Count > 0) url.Append('?').Append(string.Join('&', query.Select(q => $"{Uri.EscapeDataString(q.Name)}={q.Value}")));
        return (new HttpRequestMessage(new HttpMethod(op.Method), url.ToString()) { Content = v.Content?.Invoke() }, usedKinds);
    }

    /// <summary>A cheap valid request of another user right after a refused one: a poisoned pooled connection shows here.</summary>
    private async Task ProbeAsync(ApiOperation op, string after, int status, string? insider, FuzzFixtures fixtures)
    {
        after = $"{after} ({status})";
        _probeCount++;
        // A GET operation: its own valid request, by the entitled user (another user where the operation is public):
        // a statement that failed on a connection must work again on it. Otherwise a list and a search of fm.schmidt.
        HttpRequestMessage request;
        string prober;
        if (op.Method == "GET")
        {
            (request, _) = await BuildAsync(op, new Variant("gültig", Hostile: false), fixtures);
            prober = insider ?? "fm.schmidt";
        }
        else
        {
            var search = _probeCount % 5 == 0;
            request = new HttpRequestMessage(HttpMethod.Get, search ? "/api/directory/search?q=Beratung" : "/api/referrals");
            prober = "fm.schmidt";
        }
        var url = request.RequestUri!.ToString();
        var client = await ClientAsync(prober);
        try
        {
            var response = await client.SendAsync(request);
            _requests++;
            // A 4xx is the operation's own answer to valid input (e.g. a state conflict); only a failure counts here.
            if ((int)response.StatusCode >= 500)
                _failures.Add($"Kontrolle GET {url} als {prober} direkt nach {after} → {(int)response.StatusCode}: {Short(await response.Content.ReadAsStringAsync())}");
        }
        catch (Exception e)
        {
            _failures.Add($"Kontrolle GET {url} als {prober} direkt nach {after} → Ausnahme {e.GetType().Name}: {Short(e.Message)}");
        }
    }

    private static string Short(string s)
    {
        s = s.Replace('\n', ' ').Replace('\r', ' ');
        return s.Length <= 200 ? s : s[..200];
    }

    // ---------------------------------------------------------------- variants

    /// <summary>Stands in a valid body for a number of its own per request (names that must be unique: terms, synonyms).</summary>
    private const string Unique = "UNIQUENUMBER";
    private static int _unique;

    private static HttpContent Json(string text, string contentType = "application/json")
    {
        text = text.Replace(Unique, Interlocked.Increment(ref _unique).ToString());
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType.Contains('/') && !contentType.Contains("charset") ? contentType + "; charset=utf-8" : contentType);
        return content;
    }

    private static HttpContent Raw(string text, string contentType)
    {
        text = text.Replace(Unique, Interlocked.Increment(ref _unique).ToString());
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private static IEnumerable<Variant> Variants(ApiOperation op, OpenApiDocument doc, Random rng)
    {
        var isImport = op.Key == "POST /api/directory/imports";
        var body = ValidBody(op.Key);
        if (body is null && op.BodySchema is not null)
            body = doc.Example(op.BodySchema, "", _ => null);
        var validQuery = ValidQuery(op.Key).Select(q => (q.Name, Uri.EscapeDataString(q.Value))).ToList();
        Func<HttpContent?>? validContent = isImport
            ? () => Raw("Träger,Angebot\nFuzz-Träger,Fuzz-Angebot\n", "text/csv")
            : body is null ? (op.Mutating && op.Method != "DELETE" ? () => Json("{}") : null) : () => Json(Hostile.Serialize(body));

        yield return new Variant("gültig", Content: validContent, Hostile: false);

        // Path parameters: random and foreign ids, controls in text segments.
        foreach (var p in op.Parameters.Where(p => p.In == "path"))
        {
            var (kind, foreign) = FuzzFixtures.KindFor(op, p);
            var isId = p.Schema is not null && OpenApiDocument.Format(p.Schema) == "uuid" || p.Name.EndsWith("id", StringComparison.OrdinalIgnoreCase);
            yield return new Variant($"path {p.Name}=zufällige Guid", Path: new() { [p.Name] = RandomGuid(rng).ToString() }, Content: validContent, AlsoAsOutsider: true);
            if (foreign is not null)
                yield return new Variant($"path {p.Name}=fremde Id", Path: new() { [p.Name] = foreign.StartsWith('=') ? foreign[1..] : "@" + foreign }, Content: validContent, Foreign: true);
            if (!isId || p.Name is "id" && op.Path.StartsWith("/hsds"))
            {
                // No NUL in paths: the in-memory test server throws before the app sees it (Kestrel answers 400 itself).
                foreach (var t in Hostile.Text.Where(t => t.Name is not ("100KB-string" or "NUL" or "NUL-only")))
                    yield return new Variant($"path {p.Name} {t.Name}", Path: new() { [p.Name] = t.Name == "over-limit-string" ? new string('y', 2000) : t.Query }, Content: validContent);
            }
            else yield return new Variant($"path {p.Name}=keine Guid", Path: new() { [p.Name] = "not-a-guid" }, Content: validContent);
        }

        // Query parameters: documented ones and the handler's own.
        var queryNames = op.Parameters.Where(p => p.In == "query").Select(p => (p.Name, p.Schema))
            .Concat(UndocumentedQuery(op.Path).Select(n => (Name: n, Schema: (JsonNode?)null)))
            .DistinctBy(p => p.Name).ToList();
        var sampledQuery = queryNames.Count <= MaxQueryParams ? queryNames : queryNames.OrderBy(_ => rng.Next()).Take(MaxQueryParams).ToList();
        foreach (var (name, _) in sampledQuery)
        {
            List<(string, string)> With(string value) => [.. validQuery.Where(q => q.Item1 != name), (name, value)];
            var first = true;
            foreach (var t in Hostile.Text)
            {
                yield return new Variant($"query {name} {t.Name}", Query: With(t.Query), Content: validContent, AlsoAsOutsider: first && t.Name == "NUL");
                first = false;
            }
            foreach (var (vn, value) in new[]
                     {
                         ("1e308", "1e308"), ("-1", "-1"), ("int.MaxValue+1", "2147483648"), ("0001-01-01", "0001-01-01"),
                         ("9999-12-31", "9999-12-31"), ("9999-12-31T23:59:59Z", Uri.EscapeDataString("9999-12-31T23:59:59Z")), ("zufällige Guid", RandomGuid(rng).ToString()),
                         ("falscher Typ", "%7B%7D"),
                     })
                yield return new Variant($"query {name}={vn}", Query: With(value), Content: validContent);
            yield return new Variant($"query {name} doppelt", Query: [.. With("a"), (name, "b%00")], Content: validContent);
        }

        if (isImport)
        {
            foreach (var v in ImportVariants(validQuery)) yield return v;
            yield break;
        }

        // Bodies (also where the document declares none: a body must not confuse a body-less handler either).
        if (!op.Mutating && body is null) yield break;
        var bodyText = body is null ? "{}" : Hostile.Serialize(body);
        yield return new Variant("JSON kaputt", Content: () => Json(bodyText[..Math.Max(1, bodyText.Length / 2)]), AlsoAsOutsider: true);
        yield return new Variant("JSON kaputt (Steuerzeichen roh)", Content: () => Json("{\"a\":\"\u0000\u0001\"}"));
        yield return new Variant("leerer Body", Content: () => Json(""));
        yield return new Variant("Body null", Content: () => Json("null"));
        yield return new Variant("Body Array", Content: () => Json("[]"));
        yield return new Variant("Body [null]", Content: () => Json("[null]"));
        yield return new Variant("Content-Type text/plain", Content: () => Raw(bodyText, "text/plain"), AlsoAsOutsider: true);
        yield return new Variant("Content-Type form", Content: () => Raw("name=a%00b&user=x", "application/x-www-form-urlencoded"));
        yield return new Variant("Content-Type multipart kaputt", Content: () => Raw("--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb", "multipart/form-data; boundary=XX"));
        if (body is not JsonObject obj) yield break;

        var unknown = (JsonObject)obj.DeepClone();
        unknown["fuzzUnbekannt"] = "x";
        unknown["__proto__"] = new JsonObject { ["isAdmin"] = true };
        unknown["id"] = RandomGuid(rng).ToString();
        unknown["createdBy"] = "admin";
        yield return new Variant("unbekannte Felder", Content: () => Json(Hostile.Serialize(unknown)));
        if (obj.Count > 0)
        {
            var firstKey = obj.First().Key;
            // The same key twice with its own valid value: nothing else is wrong with the body, so only refusing duplicates gives 400.
            var dupText = "{" + System.Text.Json.JsonSerializer.Serialize(firstKey) + ":" + Hostile.Serialize(obj[firstKey]) + "," + bodyText.TrimStart()[1..];
            yield return new Variant($"doppelter Schlüssel {firstKey}", Content: () => Json(dupText), MustBeRefused: "doppelter JSON-Schlüssel angenommen");
        }

        var targets = JsonTarget.Walk(body, doc, op.BodySchema);
        var strings = targets.Where(t => t.Kind == "string").ToList();
        var others = targets.Where(t => t.Kind != "string").ToList();
        if (strings.Count > MaxStringTargets) strings = strings.OrderBy(_ => rng.Next()).Take(MaxStringTargets).OrderBy(t => t.Name).ToList();
        if (others.Count > MaxOtherTargets) others = others.OrderBy(_ => rng.Next()).Take(MaxOtherTargets).OrderBy(t => t.Name).ToList();
        Variant Set(JsonTarget t, string name, JsonNode? value, bool outsider = false)
        {
            var text = Hostile.Serialize(JsonTarget.With(body, t.Path, value));
            return new Variant($"body {t.Name} {name}", Content: () => Json(text), AlsoAsOutsider: outsider);
        }
        var firstString = true;
        foreach (var t in strings)
        {
            foreach (var h in Hostile.Text) yield return Set(t, h.Name, JsonValue.Create(h.Json), outsider: firstString && h.Name == "NUL");
            firstString = false;
            yield return Set(t, "falscher Typ (Zahl)", JsonValue.Create(12345));
            yield return Set(t, "falscher Typ (Objekt)", new JsonObject { ["x"] = 1 });
        }
        foreach (var t in others)
        {
            switch (t.Kind)
            {
                case "number":
                    yield return new Variant($"body {t.Name} 1e308", Content: () => Json(Hostile.Serialize(JsonTarget.With(body, t.Path, JsonValue.Create("§NUM§"))).Replace("\"§NUM§\"", "1e308")));
                    yield return Set(t, "-1", JsonValue.Create(-1));
                    yield return Set(t, "int.MaxValue+1", JsonValue.Create(2147483648L));
                    yield return Set(t, "falscher Typ", JsonValue.Create("abc"));
                    break;
                case "date":
                    yield return Set(t, "0001-01-01", JsonValue.Create(t.Format == "date" ? "0001-01-01" : "0001-01-01T00:00:00Z")) with { MustBeRefused = "Datum 0001-01-01 angenommen" };
                    yield return Set(t, "9999-12-31T23:59:59Z", JsonValue.Create(t.Format == "date" ? "9999-12-31" : "9999-12-31T23:59:59Z")) with { MustBeRefused = "Datum 9999-12-31 angenommen" };
                    yield return Set(t, "falscher Typ", JsonValue.Create("31.12.2026\u0000"));
                    break;
                case "uuid":
                    yield return Set(t, "zufällige Guid", JsonValue.Create(RandomGuid(rng).ToString()));
                    yield return Set(t, "keine Guid", JsonValue.Create("not-a-guid"));
                    break;
                case "boolean":
                    yield return Set(t, "falscher Typ", JsonValue.Create("ja\u0000"));
                    break;
                case "array":
                    yield return Set(t, "[null]", new JsonArray((JsonNode?)null));
                    yield return Set(t, "[\"\\u0000\"]", new JsonArray(JsonValue.Create("\u0000")));
                    yield return Set(t, "falscher Typ (Objekt)", new JsonObject());
                    yield return Set(t, "10000 Einträge", new JsonArray(Enumerable.Range(0, 10_000).Select(i => (JsonNode?)JsonValue.Create("e" + i)).ToArray()));
                    break;
                case "object":
                    yield return Set(t, "null", null);
                    yield return Set(t, "falscher Typ (Array)", new JsonArray());
                    break;
            }
        }
    }

    private static IEnumerable<Variant> ImportVariants(List<(string, string)> validQuery)
    {
        HttpContent Multipart(string text) => Raw(text, "multipart/form-data; boundary=XYZ");
        yield return new Variant("CSV mit NUL", Content: () => Raw("Träger,Angebot\nFuzz\u0000Träger,Fuzz-Angebot\n", "text/csv"));
        yield return new Variant("CSV mit Steuerzeichen und RTL", Content: () => Raw("Träger,Angebot\nFuzz\u0001\u202E,'; drop table x; --\n", "text/csv"));
        yield return new Variant("CSV eine Zeile mit 50000 Spalten", Content: () => Raw(string.Concat(Enumerable.Repeat("a,", 50_000)), "text/csv"));
        yield return new Variant("CSV 100KB-Feld", Content: () => Raw("Träger,Angebot\n" + Hostile.Big + ",x\n", "text/csv"));
        yield return new Variant("multipart kaputt (ohne Ende)", Content: () => Multipart("--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nTräger,Angebot\nA,B"), AlsoAsOutsider: true);
        yield return new Variant("multipart kaputt (Kopf)", Content: () => Multipart("--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n"));
        yield return new Variant("multipart kaputt (Müll)", Content: () => Multipart("garbage\u0000--XYZ--"));
        yield return new Variant("multipart ohne boundary", Content: () => Raw("--XYZ\r\n\r\nx\r\n--XYZ--", "multipart/form-data"));
        yield return new Variant("multipart ohne Datei", Content: () => Multipart("--XYZ\r\nContent-Disposition: form-data; name=\"mapping\"\r\n\r\n{}\r\n--XYZ--\r\n"));
        yield return new Variant("xlsx-Format mit Text", Query: [("format", "xlsx"), ("dryRun", "true")], Content: () => Raw("kein zip", "application/octet-stream"));
        yield return new Variant("hsds-json-Format mit kaputtem JSON", Query: [("format", "hsds-json"), ("dryRun", "true")], Content: () => Raw("{\"a\":[null,", "application/json"));
        yield return new Variant("Content-Type application/json", Query: validQuery, Content: () => Json("{\"organizations\":[null]}"));
        yield return new Variant("leerer Body", Content: () => Raw("", "text/csv"));
    }

    private static Guid RandomGuid(Random rng)
    {
        var bytes = new byte[16];
        rng.NextBytes(bytes);
        return new Guid(bytes);
    }
}
