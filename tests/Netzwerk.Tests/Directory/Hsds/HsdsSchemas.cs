using System.Collections.Concurrent;
using NJsonSchema;

namespace Netzwerk.Tests.Directory.Hsds;

/// <summary>
/// The HSDS 3.0 schemas (copied from the specification into Fixtures/) with the NJsonSchema validator:
/// compiled/service.json, compiled/organization.json, compiled/service_at_location.json, taxonomy.json, taxonomy_term.json,
/// and the page envelope of the HSDS OpenAPI file.
/// </summary>
public static class HsdsSchemas
{
    public static string FixturesDirectory => Path.Combine(AppContext.BaseDirectory, "Directory", "Hsds", "Fixtures");
    public static string ExamplesDirectory => Path.Combine(FixturesDirectory, "examples");

    public const string Service = "compiled/service.json";
    public const string Organization = "compiled/organization.json";
    public const string ServiceAtLocation = "compiled/service_at_location.json";
    public const string Taxonomy = "taxonomy.json";
    public const string TaxonomyTerm = "taxonomy_term.json";

    private static readonly ConcurrentDictionary<string, Lazy<Task<JsonSchema>>> Cache = new();

    public static Task<JsonSchema> LoadAsync(string name)
        => Cache.GetOrAdd(name, n => new Lazy<Task<JsonSchema>>(() => JsonSchema.FromFileAsync(Path.Combine(FixturesDirectory, "schema", n)))).Value;

    // The "Page" schema of the HSDS OpenAPI document, all fields required here.
    private const string PageSchema = """
        {
          "type": "object",
          "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
          "properties": {
            "total_items": { "type": "integer" }, "total_pages": { "type": "integer" }, "page_number": { "type": "integer" },
            "size": { "type": "integer" }, "first_page": { "type": "boolean" }, "last_page": { "type": "boolean" },
            "empty": { "type": "boolean" }, "contents": { "type": "array" }
          }
        }
        """;

    /// <summary>Schema errors of one entity ("#/path: kind"), empty when valid.</summary>
    public static async Task<List<string>> ValidateAsync(string json, string schemaName)
    {
        var schema = await LoadAsync(schemaName);
        return schema.Validate(json).Select(e => $"{e.Path}: {e.Kind}").ToList();
    }

    /// <summary>Validates the page envelope and every item of <c>contents</c>.</summary>
    public static async Task<List<string>> ValidatePageAsync(string json, string itemSchemaName)
    {
        var page = await JsonSchema.FromJsonAsync(PageSchema);
        var errors = page.Validate(json).Select(e => $"page {e.Path}: {e.Kind}").ToList();
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        if (doc.RootElement.TryGetProperty("contents", out var contents) && contents.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in contents.EnumerateArray())
            {
                errors.AddRange((await ValidateAsync(item.GetRawText(), itemSchemaName)).Select(e => $"contents[{i}] {e}"));
                i++;
            }
        }
        return errors;
    }
}
