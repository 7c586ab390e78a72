using System.Text.Json.Nodes;
using RagTune.Models.Tokenization;
using RagTune.Tests;

namespace RagTune.Models.Tests.Tokenization;

/// <summary>Exact Hugging Face ids and decoded text on the fixture folders (slow-tokenizer files).</summary>
public class LegacyTokenizerFixtureTests
{
    public static TheoryData<int, string> Gpt2Cases => TokenizerFixtures.Rows("gpt2");
    public static TheoryData<int, string> BertCases => TokenizerFixtures.Rows("bert-base-uncased");
    public static TheoryData<int, string> MistralCases => TokenizerFixtures.Rows("mistral-sentencepiece");

    [Theory]
    [MemberData(nameof(Gpt2Cases))]
    public void Gpt2_VocabJsonMerges_MatchesHuggingFace(int index, string text) => AssertCase("gpt2", index, text);

    [Theory]
    [MemberData(nameof(BertCases))]
    public void Bert_VocabTxt_MatchesHuggingFace(int index, string text) => AssertCase("bert-base-uncased", index, text);

    [Theory]
    [MemberData(nameof(MistralCases))]
    public void Mistral_SentencePiece_MatchesHuggingFace(int index, string text) => AssertCase("mistral-sentencepiece", index, text);

    [Theory]
    [MemberData(nameof(MistralCases))]
    public void Mistral_SentencePiece_LegacyFalse_MatchesHuggingFace(int index, string text)
    {
        var tokenizer = TokenizerFixtures.Shared("mistral-legacy-false", () =>
        {
            var dir = TestPaths.NewTempDir("mistral-legacy-false");
            File.Copy(Path.Combine(TestPaths.Tokenizer("mistral-sentencepiece"), "tokenizer.model"), Path.Combine(dir, "tokenizer.model"));
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Tokenizer("mistral-sentencepiece"), "tokenizer_config.json")))!;
            config["legacy"] = false;
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString());
            return TokenizerLoader.FromFolder(dir);
        });
        var c = TokenizerFixtures.Case("mistral-sentencepiece", index);
        Assert.Equal(TokenizerFixtures.Ints(c, "ids_legacy_false"), tokenizer.Encode(text, addSpecialTokens: false));
    }

    [Fact]
    public void SpecialTokenIds_ComeFromTheConfig()
    {
        var gpt2 = TokenizerFixtures.Fixture("gpt2");
        Assert.Equal((50256, 50256, null), (gpt2.BosTokenId, gpt2.EosTokenId, gpt2.PadTokenId));
        Assert.Equal(50257, gpt2.VocabSize);
        var mistral = TokenizerFixtures.Fixture("mistral-sentencepiece");
        Assert.Equal((1, 2, 32000), (mistral.BosTokenId, mistral.EosTokenId, mistral.VocabSize));
        var bert = TokenizerFixtures.Fixture("bert-base-uncased");
        Assert.Equal((0, 30522), (bert.PadTokenId, bert.VocabSize));
        Assert.Equal(101, bert.TokenToId("[CLS]"));
        Assert.Equal("[SEP]", bert.IdToToken(102));
    }

    [Fact]
    public void Decode_SkipSpecialTokens_DropsThem()
    {
        var bert = TokenizerFixtures.Fixture("bert-base-uncased");
        Assert.Equal("hello world", bert.Decode(bert.Encode("Hello world"), skipSpecialTokens: true));
        var mistral = TokenizerFixtures.Fixture("mistral-sentencepiece");
        Assert.Equal("Hello world", mistral.Decode(mistral.Encode("Hello world"), skipSpecialTokens: true));
    }

    [Fact]
    public void ConcurrentEncoding_GivesTheSameIds()
    {
        foreach (var fixture in new[] { "gpt2", "bert-base-uncased", "mistral-sentencepiece" })
        {
            var tokenizer = TokenizerLoader.FromFolder(TestPaths.Tokenizer(fixture));
            var cases = TokenizerFixtures.CasesOf(fixture);
            var results = new IReadOnlyList<int>[cases.Count * 8];
            Parallel.For(0, results.Length, i => results[i] = tokenizer.Encode(cases[i % cases.Count]!["text"]!.GetValue<string>(), false));
            for (var i = 0; i < results.Length; i++)
                Assert.Equal(TokenizerFixtures.Ints((JsonObject)cases[i % cases.Count]!, "ids"), results[i]);
        }
    }

    static void AssertCase(string fixture, int index, string text)
    {
        var tokenizer = TokenizerFixtures.Fixture(fixture);
        var c = TokenizerFixtures.Case(fixture, index);
        var ids = TokenizerFixtures.Ints(c, "ids");
        Assert.Equal(ids, tokenizer.Encode(text, addSpecialTokens: false));
        Assert.Equal(TokenizerFixtures.Ints(c, "ids_with_special_tokens"), tokenizer.Encode(text));
        Assert.Equal(c["decoded"]!.GetValue<string>(), tokenizer.Decode(ids));
        var tokens = c["tokens"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
        Assert.Equal(tokens, ids.Select(id => tokenizer.IdToToken(id)).ToArray());
    }
}
