using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using RagTune.Models.Tokenization;
using RagTune.Tests;

namespace RagTune.Models.Tests.Tokenization;

/// <summary>The expected.json cases of tests/data/tokenizers (FIXTURES.md §2) and shared, lazily loaded tokenizers.</summary>
internal static class TokenizerFixtures
{
    static readonly ConcurrentDictionary<string, JsonArray> Cases = new();
    static readonly ConcurrentDictionary<string, Lazy<ITokenizer>> Tokenizers = new();

    public static JsonObject Case(string fixture, int index) => (JsonObject)CasesOf(fixture)[index]!;

    public static JsonArray CasesOf(string fixture) => Cases.GetOrAdd(fixture, f =>
        (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Tokenizer(f), "expected.json")))!["cases"]!);

    /// <summary>Theory rows (index, text): the text makes a failing row name its input.</summary>
    public static TheoryData<int, string> Rows(string fixture)
    {
        var data = new TheoryData<int, string>();
        var cases = CasesOf(fixture);
        for (var i = 0; i < cases.Count; i++) data.Add(i, cases[i]!["text"]!.GetValue<string>());
        return data;
    }

    public static int[] Ints(JsonObject c, string name) => c[name]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();

    /// <summary>A tokenizer shared by all tests of a run, keyed by a name, built once.</summary>
    public static ITokenizer Shared(string key, Func<ITokenizer> factory) =>
        Tokenizers.GetOrAdd(key, _ => new Lazy<ITokenizer>(factory)).Value;

    public static ITokenizer Fixture(string fixture) => Shared(fixture, () => TokenizerLoader.FromFolder(TestPaths.Tokenizer(fixture)));
}
