using RagTune.Models.Tokenization;

namespace RagTune.Models.Tests.Tokenization;

/// <summary>
/// Llama 3 / Qwen2 tokenizer.json layouts (Split regex then byte-level BPE) on the gpt2 vocabulary: no reference
/// ids exist for this combination, so the tests check what the layout implies: lossless round trips, the regex's
/// pieces being merged independently, and the BOS template.
/// </summary>
public class SplitPatternTokenizerJsonTests
{
    const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static TheoryData<int, string> Cases => TokenizerFixtures.Rows("gpt2");

    static ITokenizer Llama3 => TokenizerFixtures.Shared("llama3-layout", () => TokenizerLoader.FromFolder(TokenizerJsonBuilder.SplitPatternFolder(Llama3Pattern, nfc: false, ignoreMerges: true)));
    static ITokenizer Qwen2 => TokenizerFixtures.Shared("qwen2-layout", () => TokenizerLoader.FromFolder(TokenizerJsonBuilder.SplitPatternFolder(Qwen2Pattern, nfc: true, ignoreMerges: false)));
    static ITokenizer Gpt2 => TokenizerFixtures.Fixture("gpt2");

    [Theory]
    [MemberData(nameof(Cases))]
    public void RoundTrips(int index, string text)
    {
        _ = index;
        Assert.Equal(text, Llama3.Decode(Llama3.Encode(text, false)));
        // Qwen2 normalizes to NFC first, so the decoded text is the NFC form.
        Assert.Equal(text.Normalize(System.Text.NormalizationForm.FormC), Qwen2.Decode(Qwen2.Encode(text, false)));
        Assert.Equal([50256, .. Llama3.Encode(text, false)], Llama3.Encode(text));
    }

    [Fact]
    public void Digits_AreGroupedByThree_OrSplitOneByOne()
    {
        var llama3 = Llama3.Encode("1234567890", false);
        Assert.Equal([.. Gpt2.Encode("123", false), .. Gpt2.Encode("456", false), .. Gpt2.Encode("789", false), .. Gpt2.Encode("0", false)], llama3);
        var qwen2 = Qwen2.Encode("2024", false);
        Assert.Equal("2,0,2,4".Split(',').Select(d => Gpt2.Encode(d, false).Single()), qwen2);
    }

    [Fact]
    public void CaseInsensitiveContractions_AreTheirOwnPieces() =>
        Assert.Equal([.. Gpt2.Encode("DON", false), .. Gpt2.Encode("'T", false)], Llama3.Encode("DON'T", false));
}
