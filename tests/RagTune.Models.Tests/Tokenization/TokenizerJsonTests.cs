using RagTune.Models.Tokenization;

namespace RagTune.Models.Tests.Tokenization;

/// <summary>tokenizer.json files written from the fixture vocabularies give the same ids as the legacy files.</summary>
public class TokenizerJsonTests
{
    public static TheoryData<int, string> Gpt2Cases => TokenizerFixtures.Rows("gpt2");
    public static TheoryData<int, string> BertCases => TokenizerFixtures.Rows("bert-base-uncased");

    static ITokenizer Gpt2Json => TokenizerFixtures.Shared("gpt2-json", () => TokenizerLoader.FromFolder(TokenizerJsonBuilder.Gpt2Folder(mergesAsPairs: false)));
    static ITokenizer BertJson => TokenizerFixtures.Shared("bert-json", () => TokenizerLoader.FromFolder(TokenizerJsonBuilder.BertFolder(bertProcessing: false)));

    [Theory]
    [MemberData(nameof(Gpt2Cases))]
    public void Gpt2TokenizerJson_SameIdsAsVocabJsonMerges(int index, string text)
    {
        var legacy = TokenizerFixtures.Fixture("gpt2");
        Assert.Equal(legacy.Encode(text, false), Gpt2Json.Encode(text, false));
        Assert.Equal(legacy.Encode(text), Gpt2Json.Encode(text));
        var c = TokenizerFixtures.Case("gpt2", index);
        Assert.Equal(TokenizerFixtures.Ints(c, "ids"), Gpt2Json.Encode(text, false));
        Assert.Equal(c["decoded"]!.GetValue<string>(), Gpt2Json.Decode(TokenizerFixtures.Ints(c, "ids")));
    }

    [Theory]
    [MemberData(nameof(BertCases))]
    public void BertTokenizerJson_SameIdsAsVocabTxt(int index, string text)
    {
        var legacy = TokenizerFixtures.Fixture("bert-base-uncased");
        Assert.Equal(legacy.Encode(text, false), BertJson.Encode(text, false));
        Assert.Equal(legacy.Encode(text), BertJson.Encode(text));
        var c = TokenizerFixtures.Case("bert-base-uncased", index);
        Assert.Equal(TokenizerFixtures.Ints(c, "ids_with_special_tokens"), BertJson.Encode(text));
        Assert.Equal(c["decoded"]!.GetValue<string>(), BertJson.Decode(TokenizerFixtures.Ints(c, "ids")));
    }

    [Fact]
    public void MergesAsPairs_AndBertProcessing_AreReadToo()
    {
        var gpt2 = TokenizerLoader.FromFolder(TokenizerJsonBuilder.Gpt2Folder(mergesAsPairs: true));
        var bert = TokenizerLoader.FromFolder(TokenizerJsonBuilder.BertFolder(bertProcessing: true));
        foreach (var (_, text) in Rows(Gpt2Cases))
        {
            Assert.Equal(Gpt2Json.Encode(text), gpt2.Encode(text));
            Assert.Equal(BertJson.Encode(text), bert.Encode(text));
        }
    }

    static IEnumerable<(int, string)> Rows(TheoryData<int, string> data) => data.Select(row => ((int)row[0], (string)row[1]));
}

/// <summary>A Llama 2 / Mistral style tokenizer.json (SentencePiece BPE with byte fallback) built from tokenizer.model.</summary>
public class SentencePieceTokenizerJsonTests
{
    public static TheoryData<int, string> MistralCases => TokenizerFixtures.Rows("mistral-sentencepiece");

    static ITokenizer LlamaJson => TokenizerFixtures.Shared("llama-json", () => TokenizerLoader.FromFolder(LlamaTokenizerJsonBuilder.Folder()));

    [Theory]
    [MemberData(nameof(MistralCases))]
    public void LlamaStyleTokenizerJson_MatchesHuggingFaceIds(int index, string text)
    {
        var c = TokenizerFixtures.Case("mistral-sentencepiece", index);
        Assert.Equal(TokenizerFixtures.Ints(c, "ids"), LlamaJson.Encode(text, false));
        Assert.Equal(TokenizerFixtures.Ints(c, "ids_with_special_tokens"), LlamaJson.Encode(text));
    }

    [Fact]
    public void LongText_SameIdsFromTokenizerJsonAndTokenizerModel()
    {
        // Long inputs take the word-split path of both BPE implementations; they must still agree exactly.
        var cases = TokenizerFixtures.CasesOf("mistral-sentencepiece").Select(c => c!["text"]!.GetValue<string>());
        var text = string.Join("\n", cases) + "  " + string.Concat(Enumerable.Repeat("▁ word▁▁x  ", 50));
        var model = TokenizerFixtures.Fixture("mistral-sentencepiece");
        Assert.Equal(model.Encode(text), LlamaJson.Encode(text));
    }

    [Fact]
    public void LlamaStyleDecoder_RebuildsText()
    {
        // The fast decoder strips exactly one leading space (Strip(" ", 1, 0)) and restores bytes.
        Assert.Equal("family 👨‍👩‍👧‍👦 zwj\nline", LlamaJson.Decode(LlamaJson.Encode("family 👨‍👩‍👧‍👦 zwj\nline", false)));
        Assert.Equal("<s> Hello", LlamaJson.Decode(LlamaJson.Encode("Hello")));
    }
}

/// <summary>Smaller tokenizer.json components, on hand-written files.</summary>
public class TokenizerJsonComponentTests
{
    static ITokenizer FromJson(string json)
    {
        var dir = RagTune.Tests.TestPaths.NewTempDir("tok-json");
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json);
        return TokenizerLoader.FromFolder(dir);
    }

    [Fact]
    public void WordLevel_WithWhitespaceSplitAndLowercase()
    {
        var tokenizer = FromJson("""
            {"normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "WhitespaceSplit"},
             "model": {"type": "WordLevel", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "hello": 1, "world": 2}}}
            """);
        Assert.Equal([1, 2, 0], tokenizer.Encode("Hello  WORLD again"));
        Assert.Equal("hello world [UNK]", tokenizer.Decode([1, 2, 0]));
    }

    [Fact]
    public void AddedTokens_LStripRStripSingleWordAndNormalized()
    {
        var tokenizer = FromJson("""
            {"added_tokens": [
               {"id": 10, "content": "<mask>", "lstrip": true, "rstrip": false, "single_word": false, "normalized": false, "special": true},
               {"id": 11, "content": "cat", "lstrip": false, "rstrip": false, "single_word": true, "normalized": true, "special": false},
               {"id": 12, "content": "<sep>", "lstrip": false, "rstrip": true, "single_word": false, "normalized": false, "special": true}],
             "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "WhitespaceSplit"},
             "model": {"type": "WordLevel", "unk_token": "?", "vocab": {"?": 0, "a": 1, "b": 2, "cats": 3}}}
            """);
        // lstrip eats the spaces before <mask>, rstrip the spaces after <sep>; "CAT" matches after lower-casing,
        // but only as a whole word ("cats" is not split).
        Assert.Equal([1, 10, 12, 2, 11, 3], tokenizer.Encode("a   <mask><sep>   b CAT cats"));
        Assert.Equal("a <mask> <sep> b cat cats", tokenizer.Decode([1, 10, 12, 2, 11, 3]));
        Assert.Equal("a b cat", tokenizer.Decode([1, 10, 12, 2, 11], skipSpecialTokens: true));
    }

    [Fact]
    public void MetaspacePreTokenizer_AndDecoder()
    {
        var tokenizer = FromJson("""
            {"pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
             "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
             "model": {"type": "WordLevel", "unk_token": "?", "vocab": {"?": 0, "▁hi": 1, "▁there": 2}}}
            """);
        Assert.Equal([1, 2], tokenizer.Encode("hi there"));
        Assert.Equal("hi there", tokenizer.Decode([1, 2]));
    }
}
