using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Netzwerk.Directory.Import;
using Netzwerk.Platform.Database;
using Netzwerk.Platform.Input;

namespace Netzwerk.Tests.Platform.Input;

/// <summary>The border rules as pure logic: the text rule, the request JSON options, group commits, import limits.</summary>
public sealed class InputRulesTests
{
    private static readonly JsonSerializerOptions Options = RequestOptions();

    // The options the API reads requests with, as the app registers them.
    private static JsonSerializerOptions RequestOptions()
    {
        using var provider = new ServiceCollection().AddInputRules().BuildServiceProvider();
        return provider.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
    }

    public sealed record Hours(int Weekday, string Opens);
    public sealed record Entry(string? Name, string[]? Categories, List<Hours>? OpeningHours, IReadOnlyList<string>? Expansions);

    [Theory]
    [InlineData("Schuldnerberatung Kamenz", true)]
    [InlineData("Zeile 1\nZeile 2\r\n\tEingerückt", true)]
    [InlineData("مرحبا \u202e rückwärts", true)]
    [InlineData("Emoji 😀 als Paar", true)]
    [InlineData("a\0b", false)]
    [InlineData("\u0001", false)]
    [InlineData("Ende\u001f", false)]
    [InlineData("\u001b[31m", false)]
    public void Text_rule_allows_tab_and_newlines_but_no_other_controls(string text, bool clean) =>
        CleanText.IsClean(text).ShouldBe(clean);

    [Fact]
    public void Text_rule_refuses_lone_surrogates() => new[] { "\ud800", "a\udc00", "\ud83d" }
        .ShouldAllBe(s => !CleanText.IsClean(s));

    [Theory]
    [InlineData("""{"name":"a\u0000b"}""", "name")]
    [InlineData("""{"name":"\ud800"}""", "name")]
    [InlineData("""{"categories":["ok","x\u0007"]}""", "categories")]
    [InlineData("""{"categories":[null]}""", "categories")]
    [InlineData("""{"openingHours":[null]}""", "openingHours")]
    [InlineData("""{"expansions":[null]}""", "expansions")]
    [InlineData("""{"name":"a","name":"b"}""", "name")]
    public void Request_json_breaking_a_rule_names_the_field(string json, string field)
    {
        var e = Should.Throw<JsonException>(() => JsonSerializer.Deserialize<Entry>(json, Options));
        InputRules.FieldOf(e).ShouldStartWith(field);
    }

    [Fact]
    public void Clean_request_json_reads_and_writes_unchanged()
    {
        var json = """{"name":"Beratung\nmit Zeilen","categories":["schuldnerberatung"],"openingHours":[{"weekday":1,"opens":"09:00"}],"expansions":[]}""";
        var entry = JsonSerializer.Deserialize<Entry>(json, Options)!;
        entry.Categories.ShouldBe(["schuldnerberatung"]);
        entry.OpeningHours![0].ShouldBe(new Hours(1, "09:00"));
        entry.Expansions.ShouldBeEmpty();
        JsonSerializer.Serialize(entry, Options).ShouldBe(json);
        JsonSerializer.Deserialize<Entry>("""{"name":null,"categories":null}""", Options).ShouldBe(new Entry(null, null, null, null));
    }

    [Fact]
    public async Task A_failing_item_fails_only_its_own_caller_not_its_group()
    {
        var firstStarted = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var written = new List<string>();
        var group = new GroupCommit<string>(async items =>
        {
            if (items.Any(i => i.Item == "first")) { firstStarted.TrySetResult(); await release.Task; }
            if (items.Any(i => i.Item.Contains('\0'))) throw new InvalidOperationException("22021");
            lock (written) written.AddRange(items.Select(i => i.Item));
        });

        var first = group.WriteAsync("first");
        await firstStarted.Task;
        // These queue up while the first write waits, and are written as one group.
        var others = new[] { "a", "b\0", "c", "d" }.Select(x => (x, group.WriteAsync(x))).ToArray();
        release.SetResult();
        await first;

        foreach (var (item, task) in others)
        {
            if (item.Contains('\0')) await Should.ThrowAsync<InvalidOperationException>(task);
            else await task;
        }
        written.ShouldBe(["first", "a", "c", "d"], ignoreOrder: true);
    }

    [Fact]
    public void Csv_with_too_many_columns_is_refused_before_parsing()
    {
        var header = string.Join(';', Enumerable.Range(0, 1_000_000).Select(_ => "x"));
        var e = Should.Throw<InvalidDataException>(() => TabularReader.ReadCsv(new MemoryStream(Encoding.UTF8.GetBytes(header)), [], out _));
        e.Message.ShouldContain("Spalten");
    }

    [Fact]
    public void Csv_with_a_control_character_names_its_line()
    {
        var csv = "Träger;Angebot;PLZ\nVerein;Beratung;01917\nVerein;Bera\0tung;01917\n";
        var e = Should.Throw<InvalidDataException>(() => TabularReader.ReadCsv(new MemoryStream(Encoding.UTF8.GetBytes(csv)), [], out _));
        e.Message.ShouldContain("Zeile 3");
    }

    [Fact]
    public void Csv_with_an_oversized_line_is_refused()
    {
        var csv = "Träger;Angebot\nVerein;" + new string('x', TabularReader.MaxLineLength + 1) + "\n";
        Should.Throw<InvalidDataException>(() => TabularReader.ReadCsv(new MemoryStream(Encoding.UTF8.GetBytes(csv)), [], out _))
            .Message.ShouldContain("Zeile 2");
    }
}
