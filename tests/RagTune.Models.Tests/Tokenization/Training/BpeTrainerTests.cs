using System.Text.Json.Nodes;
using RagTune.Models.Tokenization;
using RagTune.Models.Tokenization.Training;

namespace RagTune.Models.Tests.Tokenization.Training;

/// <summary>
/// The BPE trainer's <c>tokenizer.json</c> loaded back through <see cref="TokenizerLoader"/> (the reader whose ids equal
/// Hugging Face's on every fixture): lossless round trips, learned merges, special tokens, determinism.
/// </summary>
public class BpeTrainerTests
{
    static readonly string[] Corpus =
    [
        "The capital of the country is the city by the river.",
        "The river runs through the city; the city is the capital.",
        "Numbers like 2024 and 1999 appear, as do words like naïve and café.",
        "<|im_start|>user\nWhere does the river run?<|im_end|>\n<|im_start|>assistant\nThrough the city.<|im_end|>",
    ];

    static readonly string[] Specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];

    static (ITokenizer Tokenizer, TrainedBpe Bpe, string Path) TrainAndLoad(int vocabSize = 320)
    {
        var dir = Directory.CreateTempSubdirectory("ragtune-bpe").FullName;
        var path = System.IO.Path.Combine(dir, "tokenizer.json");
        var bpe = BpeTrainer.Train(Enumerable.Repeat(Corpus, 5).SelectMany(x => x), new BpeTrainerOptions { VocabSize = vocabSize, SpecialTokens = Specials });
        BpeTrainer.WriteTokenizerJson(bpe, path);
        return (TokenizerLoader.FromTokenizerJson(path), bpe, path);
    }

    [Theory]
    [InlineData("The city by the river.")]
    [InlineData("unseen words: zebra quixotic 東京 🙂 tab\there\nnew line  two spaces")]
    [InlineData("  leading spaces and trailing  ")]
    [InlineData("<|im_start|>assistant\nThe capital.<|im_end|>")]
    public void EncodeThenDecode_GivesTheTextBack(string text)
    {
        var (tokenizer, _, _) = TrainAndLoad();
        var ids = tokenizer.Encode(text, addSpecialTokens: false);
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Fact]
    public void FrequentWords_BecomeSingleTokens_AndSpecialsKeepTheirIds()
    {
        var (tokenizer, bpe, _) = TrainAndLoad();
        Assert.Equal(320, bpe.Vocabulary.Count);
        Assert.Equal(320, tokenizer.VocabSize);
        // " the" and " city" are among the most frequent pieces (GPT-2 byte alphabet: space = 'Ġ').
        Assert.Single(tokenizer.Encode(" the", false));
        Assert.Single(tokenizer.Encode(" city", false));
        var ids = tokenizer.Encode("<|im_start|>user<|im_end|>", false);
        Assert.Equal(1, ids[0]);
        Assert.Equal(2, ids[^1]);
        for (var i = 0; i < Specials.Length; i++) Assert.Equal(i, tokenizer.TokenToId(Specials[i]));
        // Special-token text is never merged into ordinary tokens.
        Assert.DoesNotContain(bpe.Vocabulary.Skip(Specials.Length), t => t.Contains("im_end", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryMergeProducesAVocabularyToken_AndTheFileHasTheHuggingFaceLayout()
    {
        var (_, bpe, path) = TrainAndLoad();
        var vocab = bpe.Vocabulary.ToHashSet(StringComparer.Ordinal);
        Assert.All(bpe.Merges, m => Assert.Contains(m.Left + m.Right, vocab));
        Assert.All(bpe.Merges, m => { Assert.Contains(m.Left, vocab); Assert.Contains(m.Right, vocab); });
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("BPE", (string?)json["model"]!["type"]);
        Assert.Equal("ByteLevel", (string?)json["pre_tokenizer"]!["type"]);
        Assert.Equal("ByteLevel", (string?)json["decoder"]!["type"]);
        Assert.Equal(Specials.Length, json["added_tokens"]!.AsArray().Count);
        Assert.Equal(bpe.Merges.Count, json["model"]!["merges"]!.AsArray().Count);
    }

    [Fact]
    public void SameCorpus_SameFile()
    {
        var a = File.ReadAllBytes(TrainAndLoad().Path);
        var b = File.ReadAllBytes(TrainAndLoad().Path);
        Assert.Equal(a, b);
    }

    [Fact]
    public void TooSmallAVocabulary_IsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.Train(Corpus, new BpeTrainerOptions { VocabSize = 100, SpecialTokens = Specials }));
}
