using System.Text.Json;
using System.Text.Json.Serialization;

namespace Netzwerk.Platform.Input;

/// <summary>
/// A request body that breaks an input rule. Thrown from our converters; System.Text.Json adds the path of the
/// offending field (<see cref="JsonException.Path"/>), and the problem handler names that field in German.
/// </summary>
public sealed class InvalidInputException(string message) : JsonException(message);

/// <summary>Every JSON string the API reads obeys <see cref="CleanText"/>.</summary>
public sealed class CleanStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new InvalidInputException("Hier wird ein Text erwartet.");
        string value;
        // An escaped lone surrogate ("\ud800") cannot become a .NET string: the reader throws.
        try { value = reader.GetString()!; }
        catch (InvalidOperationException) { throw new InvalidInputException(CleanText.Message); }
        return CleanText.IsClean(value) ? value : throw new InvalidInputException(CleanText.Message);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>
/// Lists in requests never hold <c>null</c> (<c>"categories": [null]</c>): no list in this API has empty entries, and a
/// handler must not have to guard every element. Covers arrays and the usual list interfaces of reference types.
/// </summary>
public sealed class NoNullItemsConverterFactory : JsonConverterFactory
{
    private static readonly HashSet<Type> ListShapes =
    [
        typeof(List<>), typeof(IList<>), typeof(ICollection<>), typeof(IEnumerable<>),
        typeof(IReadOnlyList<>), typeof(IReadOnlyCollection<>),
    ];

    public override bool CanConvert(Type type) => ElementOf(type) is { IsValueType: false };

    public override JsonConverter CreateConverter(Type type, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(NoNullItemsConverter<,>).MakeGenericType(type, ElementOf(type)!))!;

    private static Type? ElementOf(Type type) =>
        type.IsArray && type.GetArrayRank() == 1 ? type.GetElementType()
        : type.IsGenericType && ListShapes.Contains(type.GetGenericTypeDefinition()) ? type.GetGenericArguments()[0]
        : null;

    private sealed class NoNullItemsConverter<TList, TItem> : JsonConverter<TList> where TItem : class
    {
        public override TList? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray) throw new InvalidInputException("Hier wird eine Liste erwartet.");
            var items = new List<TItem>();
            var itemInfo = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<TItem>)options.GetTypeInfo(typeof(TItem));
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.Null)
                    throw new InvalidInputException("Die Liste enthält einen leeren Eintrag (null).");
                try { items.Add(JsonSerializer.Deserialize(ref reader, itemInfo)!); }
                // The inner call would report its own root ("$") as the path; without one, the list's path is added.
                catch (JsonException e) { throw new InvalidInputException(e is InvalidInputException ? e.Message : "Ein Eintrag der Liste hat ein ungültiges Format."); }
            }
            return (TList)(object)(typeof(TList).IsArray ? items.ToArray() : items);
        }

        public override void Write(Utf8JsonWriter writer, TList value, JsonSerializerOptions options)
        {
            var itemInfo = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<TItem>)options.GetTypeInfo(typeof(TItem));
            writer.WriteStartArray();
            foreach (var item in (IEnumerable<TItem>)value!) JsonSerializer.Serialize(writer, item, itemInfo);
            writer.WriteEndArray();
        }
    }
}
