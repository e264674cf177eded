using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;

namespace Netzwerk.Tests.Security;

/// <summary>One operation of the app's OpenAPI document: its parameters and the JSON schema of its request body.</summary>
public sealed record ApiOperation(string Method, string Path, IReadOnlyList<ApiParameter> Parameters, JsonNode? BodySchema, string? BodyContentType)
{
    public string Key => $"{Method} {Path}";
    public bool Mutating => Method is "POST" or "PUT" or "PATCH" or "DELETE";
}

public sealed record ApiParameter(string Name, string In, bool Required, JsonNode? Schema);

/// <summary>Reads <c>/openapi/v1.json</c> (OpenAPI 3.0 or 3.1) into operations, resolving <c>$ref</c>s.</summary>
public sealed class OpenApiDocument
{
    private readonly JsonNode _root;
    public IReadOnlyList<ApiOperation> Operations { get; }

    public OpenApiDocument(string json)
    {
        _root = JsonNode.Parse(json)!;
        var ops = new List<ApiOperation>();
        foreach (var (path, item) in _root["paths"]!.AsObject())
        {
            var shared = item!["parameters"]?.AsArray() ?? [];
            foreach (var (method, op) in item!.AsObject())
            {
                if (method is "parameters" or "summary" or "description" or "servers") continue;
                var parameters = shared.Concat(op!["parameters"]?.AsArray() ?? []).Select(p => Resolve(p!))
                    .Select(p => new ApiParameter((string)p["name"]!, (string)p["in"]!, (bool?)p["required"] ?? false, p["schema"] is { } s ? Resolve(s) : null))
                    .ToList();
                JsonNode? bodySchema = null;
                string? contentType = null;
                if (op["requestBody"] is { } body && Resolve(body)["content"]?.AsObject() is { } content)
                {
                    var pick = content.FirstOrDefault(c => c.Key.Contains("json"));
                    if (pick.Key is null) pick = content.First();
                    contentType = pick.Key;
                    bodySchema = pick.Value?["schema"] is { } bs ? Resolve(bs) : null;
                }
                ops.Add(new ApiOperation(method.ToUpperInvariant(), path, parameters, bodySchema, contentType));
            }
        }
        Operations = ops;
    }

    /// <summary>Follows <c>$ref</c> (also one nested in allOf/anyOf/oneOf with a single non-null member).</summary>
    public JsonNode Resolve(JsonNode node, int depth = 0)
    {
        if (depth > 20) return node;
        if (node is JsonObject o)
        {
            if (o["$ref"] is { } r && ((string)r!).StartsWith("#/"))
            {
                JsonNode? target = _root;
                foreach (var part in ((string)r!)[2..].Split('/')) target = target?[part.Replace("~1", "/").Replace("~0", "~")];
                return target is null ? node : Resolve(target, depth + 1);
            }
            foreach (var combo in new[] { "allOf", "anyOf", "oneOf" })
                if (o[combo] is JsonArray arr)
                {
                    var members = arr.Where(m => m is not null).Select(m => Resolve(m!, depth + 1)).Where(m => PrimaryType(m) != "null").ToList();
                    if (members.Count >= 1) return members[0];
                }
        }
        return node;
    }

    /// <summary>The schema's type without "null" (3.1 allows a list of types).</summary>
    public static string? PrimaryType(JsonNode schema)
    {
        var t = schema["type"];
        if (t is JsonArray a) return a.Select(x => (string?)x).FirstOrDefault(x => x != "null") ?? "null";
        if (t is JsonValue) return (string?)t;
        if (schema["properties"] is not null) return "object";
        if (schema["items"] is not null) return "array";
        return null;
    }

    public static string? Format(JsonNode schema) => (string?)schema["format"];

    /// <summary>A plausible value for a schema, for operations without a known-valid example body.</summary>
    public JsonNode? Example(JsonNode schema, string name, Func<string, JsonNode?> known, int depth = 0)
    {
        schema = Resolve(schema);
        if (known(name) is { } k) return k;
        if (depth > 5) return null;
        switch (PrimaryType(schema))
        {
            case "object":
                var obj = new JsonObject();
                foreach (var (prop, ps) in schema["properties"]?.AsObject() ?? [])
                    obj[prop] = ps is null ? null : Example(ps, prop, known, depth + 1);
                return obj;
            case "array":
                return schema["items"] is { } items ? new JsonArray(Example(items, name, known, depth + 1)) : new JsonArray();
            case "integer": return 1;
            case "number": return 1;
            case "boolean": return false;
            case "string":
                if (schema["enum"] is JsonArray e && e.Count > 0) return e[0]!.DeepClone();
                return Format(schema) switch
                {
                    "uuid" => Guid.NewGuid().ToString(),
                    "date" => DateTime.UtcNow.ToString("yyyy-MM-dd"),
                    "date-time" => DateTime.UtcNow.AddDays(7).ToString("yyyy-MM-ddTHH:mm:ssZ"),
                    "email" => "fuzz@example.org",
                    _ => "Fuzz",
                };
            default:
                // 3.1 numbers from ASP.NET Core: type ["integer","string"] with a pattern
                return null;
        }
    }
}

/// <summary>The fixed hostile values and how they are written into JSON bodies and query strings.</summary>
public static class Hostile
{
    /// <summary>Replaced by a raw <c>\ud800</c> escape after serialisation (System.Text.Json cannot write a lone surrogate).</summary>
    public const string LoneSurrogateMarker = "LONE_SURROGATE_PLACEHOLDER";
    public static readonly string Big = new('x', 100 * 1024);
    public static readonly string OverLimit = new('y', 4001);

    /// <summary>Text variants: name → JSON value (string) / raw URL-encoded query value.</summary>
    public static readonly (string Name, string Json, string Query)[] Text =
    [
        ("NUL", "a\u0000b", "a%00b"),
        ("NUL-only", "\u0000", "%00"),
        ("C0-controls", "a\u0001\u0008\u001b\u007fb", "a%01%08%1B%7Fb"),
        ("100KB-string", Big, new string('x', 100 * 1024)),
        ("over-limit-string", OverLimit, new string('y', 4001)),
        ("RTL-override", "abc\u202Egpj.exe", "abc%E2%80%AEgpj.exe"),
        ("lone-surrogate", "a" + LoneSurrogateMarker + "b", "a%ED%A0%80b"),
        ("SQL-meta", "'; drop table directory.service; --", Uri.EscapeDataString("'; drop table directory.service; --")),
        ("tsquery-meta", "a & | ! :* ( ) <-> \\", Uri.EscapeDataString("a & | ! :* ( ) <-> \\")),
    ];

    public static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(JsonNode? node)
        => (node?.ToJsonString(Relaxed) ?? "null").Replace(LoneSurrogateMarker, "\\ud800");

    /// <summary>Markers of a leaked exception or stack trace in a response body.</summary>
    public static readonly string[] ExceptionMarkers =
        ["Exception", "   at Netzwerk.", "   at System.", "   at Microsoft.", "Npgsql", "StackTrace", "stackTrace", "PostgresException", "23505:", "22021:", "22P05"];

    public static string? ExceptionMarkerIn(string body) => ExceptionMarkers.FirstOrDefault(m => body.Contains(m, StringComparison.Ordinal));

    /// <summary>Answered without data (an empty list, zero, null), as in RoleEndpointMatrixTests.</summary>
    public static bool IsEmptyJson(string body)
    {
        try { return IsEmpty(JsonDocument.Parse(body).RootElement); }
        catch (JsonException) { return body.Trim().Length == 0; }
    }

    private static bool IsEmpty(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => e.GetArrayLength() == 0,
        JsonValueKind.Object => e.EnumerateObject().All(p => IsEmpty(p.Value)),
        JsonValueKind.Number => e.GetDouble() == 0,
        JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined => true,
        _ => false,
    };

    public static bool IsRefusal(HttpResponseMessage r) =>
        r.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound
        || (r.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found
            && r.Headers.Location?.OriginalString is { } loc
            && (loc.Contains("/anmelden") || loc.Contains("/zugriff-verweigert")));
}

/// <summary>A leaf (or inner node) of a JSON body, addressed by a path of property names and array indexes.</summary>
public sealed record JsonTarget(IReadOnlyList<object> Path, string Kind, string? Format)
{
    public string Name => Path.Count == 0 ? "(body)" : string.Concat(Path.Select((p, i) => p is int n ? $"[{n}]" : (i == 0 ? "" : ".") + p));

    public static JsonNode With(JsonNode body, IReadOnlyList<object> path, JsonNode? value)
    {
        var copy = body.DeepClone();
        JsonNode parent = copy;
        for (var i = 0; i < path.Count - 1; i++) parent = path[i] is int n ? parent[n]! : parent[(string)path[i]]!;
        if (path[^1] is int idx) parent.AsArray()[idx] = value;
        else parent.AsObject()[(string)path[^1]] = value;
        return copy;
    }

    /// <summary>Every value in the body (depth-first), with the kind read from the value and, where known, the schema.</summary>
    public static List<JsonTarget> Walk(JsonNode? node, OpenApiDocument doc, JsonNode? schema)
    {
        var result = new List<JsonTarget>();
        void Visit(JsonNode? n, JsonNode? s, List<object> path)
        {
            s = s is null ? null : doc.Resolve(s);
            var format = s is null ? null : OpenApiDocument.Format(s);
            switch (n)
            {
                case JsonObject o:
                    if (path.Count > 0) result.Add(new JsonTarget(path.ToList(), "object", null));
                    foreach (var (k, v) in o.ToList()) Visit(v, s?["properties"]?[k], [.. path, k]);
                    // schema properties the example leaves out are targets too (added with the hostile value)
                    foreach (var (k, ps) in s?["properties"]?.AsObject() ?? [])
                        if (!o.ContainsKey(k) && ps is not null)
                        {
                            var rs = doc.Resolve(ps);
                            var kind = OpenApiDocument.PrimaryType(rs) ?? "string";
                            result.Add(new JsonTarget([.. path, k], KindOf(kind, OpenApiDocument.Format(rs)), OpenApiDocument.Format(rs)));
                        }
                    break;
                case JsonArray a:
                    result.Add(new JsonTarget(path.ToList(), "array", null));
                    if (a.Count > 0) Visit(a[0], s?["items"], [.. path, 0]);
                    break;
                case JsonValue v:
                    var k2 = v.GetValueKind() switch
                    {
                        JsonValueKind.String => KindOf("string", format ?? GuessFormat(v.GetValue<string>())),
                        JsonValueKind.Number => "number",
                        JsonValueKind.True or JsonValueKind.False => "boolean",
                        _ => "string",
                    };
                    result.Add(new JsonTarget(path.ToList(), k2, format));
                    break;
                case null:
                    var st = s is null ? "string" : OpenApiDocument.PrimaryType(s) ?? "string";
                    result.Add(new JsonTarget(path.ToList(), KindOf(st, format), format));
                    break;
            }
        }
        Visit(node, schema, []);
        return result;
    }

    private static string? GuessFormat(string s) =>
        Guid.TryParse(s, out _) ? "uuid"
        : Regex.IsMatch(s, @"^\d{4}-\d{2}-\d{2}T") ? "date-time"
        : Regex.IsMatch(s, @"^\d{4}-\d{2}-\d{2}$") ? "date" : null;

    private static string KindOf(string type, string? format) => type switch
    {
        "string" when format == "uuid" => "uuid",
        "string" when format is "date" or "date-time" => "date",
        "integer" or "number" => "number",
        _ => type,
    };
}

/// <summary>Row counts of the data tables (not audit, log, outbox or message tables that record refusals or are written asynchronously).</summary>
public sealed class RowCounter
{
    private static readonly HashSet<string> Excluded =
    [
        "platform.audit_entries", "platform.signing_keys", "platform.data_protection_keys", "referrals.partner_access_links", "platform.mail_outbox",
        "workflows.outbox", "workflows.handled_messages", "workflows.deadlines", "referrals.inbox_items",
        // Written asynchronously with the mails (issue 16): the sent-mail log, partner prompts, refused partner addresses.
        "platform.mail_log", "referrals.partner_prompts", "referrals.partner_mail_failures",
    ];

    private readonly string _connectionString;
    private string? _sql;
    public IReadOnlyList<string> Tables { get; private set; } = [];

    public RowCounter(string connectionString) => _connectionString = connectionString;

    public async Task<long[]> SnapshotAsync()
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        if (_sql is null)
        {
            var tables = new List<string>();
            await using (var cmd = new NpgsqlCommand("""
                SELECT table_schema || '.' || table_name FROM information_schema.tables
                WHERE table_schema IN ('directory', 'referrals', 'workflows', 'platform') AND table_type = 'BASE TABLE'
                ORDER BY 1
                """, conn))
            await using (var r = await cmd.ExecuteReaderAsync())
                while (await r.ReadAsync()) tables.Add(r.GetString(0));
            Tables = tables.Where(t => !Excluded.Contains(t) && !t.Contains("migration") && !t.Contains("schema_version")).ToList();
            _sql = string.Join(" UNION ALL ", Tables.Select((t, i) => $"SELECT {i}, count(*) FROM {t}"));
        }
        var counts = new long[Tables.Count];
        await using (var cmd = new NpgsqlCommand(_sql, conn))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) counts[r.GetInt32(0)] = r.GetInt64(1);
        return counts;
    }

    public string Diff(long[] before, long[] after)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Tables.Count; i++)
            if (before[i] != after[i]) sb.Append($"{Tables[i]} {before[i]}→{after[i]} ");
        return sb.ToString().Trim();
    }
}
