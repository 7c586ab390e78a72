using RagTune.Models.Tokenization;

namespace RagTune.Models.Tests.Tokenization;

/// <summary>Regex pre-tokenization by code point, with the Llama 3 / Qwen2 split patterns.</summary>
public class PreTokenizerTests
{
    const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    static string[] Split(string pattern, string text)
    {
        var output = new List<PreToken>();
        new SplitPreTokenizer(null, new CodePointRegex(pattern), SplitBehavior.Isolated, false).PreTokenize(text, true, output);
        return output.Select(p => p.Text).ToArray();
    }

    [Fact]
    public void Llama3Pattern_GroupsDigitsByThree_AndKeepsNewlinesWithPunctuation()
    {
        Assert.Equal(["Hello", " world", " ", "123", "45", "!!\n\n", " ", " x"], Split(Llama3Pattern, "Hello world 12345!!\n\n  x"));
        Assert.Equal(["I", "'M", " here"], Split(Llama3Pattern, "I'M here"));
    }

    [Fact]
    public void Qwen2Pattern_SplitsEveryDigit() =>
        Assert.Equal(["Year", " ", "2", "0", "2", "4"], Split(Qwen2Pattern, "Year 2024"));

    [Fact]
    public void LettersOutsideTheBmp_AreLetters()
    {
        // U+1D400 MATHEMATICAL BOLD CAPITAL A is a letter (Lu) stored as a surrogate pair in .NET strings.
        var output = new List<PreToken>();
        new ByteLevelPreTokenizer(false, true).PreTokenize("a\U0001D400b c", true, output);
        Assert.Equal(2, output.Count);
        Assert.Equal(ByteLevelAlphabet.Encode("a\U0001D400b"), output[0].Text);
    }

    [Fact]
    public void Metaspace_PrependsOnlyAtTheStartWithSchemeFirst()
    {
        var output = new List<PreToken>();
        var metaspace = new MetaspacePreTokenizer('▁', "first", split: false);
        metaspace.PreTokenize("Hi there", true, output);
        metaspace.PreTokenize("again", false, output);
        Assert.Equal(["▁Hi▁there", "again"], output.Select(p => p.Text));
    }

    [Fact]
    public void LongWord_IsMergedQuickly()
    {
        var gpt2 = TokenizerFixtures.Fixture("gpt2");
        var word = string.Concat(Enumerable.Repeat("abcdefghij", 5000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ids = gpt2.Encode(word, false);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"50,000-character word took {watch.Elapsed}");
        Assert.Equal(word, gpt2.Decode(ids));
    }
}
