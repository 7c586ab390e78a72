using RagTune.Models.Generation;
using RagTune.Models.Tokenization;

namespace RagTune.Models.Tests.Generation;

public class StreamingTextTests
{
    /// <summary>Each id is one character of <see cref="Alphabet"/>; id 99 is a lone UTF-8 lead byte (U+FFFD).</summary>
    sealed class CharTokenizer : ITokenizer
    {
        public const string Alphabet = "abcdefghijklmnopqrstuvwxyz <>/é";
        public int VocabSize => 100;
        public int? BosTokenId => null;
        public int? EosTokenId => null;
        public int? PadTokenId => null;
        public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true) => text.Select(c => Alphabet.IndexOf(c)).ToList();
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
        {
            var list = ids.ToList();
            var s = "";
            for (var i = 0; i < list.Count; i++)
                s += list[i] == 99 ? (i + 1 < list.Count && list[i + 1] == 98 ? "é" : "\uFFFD") : list[i] == 98 ? "" : Alphabet[list[i]].ToString();
            return s;
        }
        public int? TokenToId(string token) => null;
        public string? IdToToken(int id) => null;
    }

    static List<(string Delta, bool Stopped)> Feed(StreamingText text, string chars) =>
        new CharTokenizer().Encode(chars).Select(text.Append).ToList();

    [Fact]
    public void StopStringCutsTextAndHoldsBackPossiblePrefixes()
    {
        var text = new StreamingText(new CharTokenizer(), ["</s>"]);
        var steps = Feed(text, "ab</x</s>zz");
        Assert.Equal(["a", "b", "", "", "</x", "", "", ""], steps.Take(8).Select(s => s.Delta));
        Assert.True(steps[8].Stopped);
        Assert.Equal("ab</x", text.Text);
        Assert.Equal("ab</x", string.Concat(steps.Take(9).Select(s => s.Delta)));
    }

    [Fact]
    public void IncompleteCharacterIsHeldUntilComplete()
    {
        var text = new StreamingText(new CharTokenizer(), []);
        Assert.Equal("a", text.Append(0).Delta);
        Assert.Equal("", text.Append(99).Delta);
        Assert.Equal("é", text.Append(98).Delta);
        Assert.Equal("", text.Flush());
    }
}
