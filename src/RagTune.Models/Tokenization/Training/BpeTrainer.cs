using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RagTune.Models.Tokenization.Training;

/// <summary>
/// Trains a byte-level BPE tokenizer (GPT-2's scheme: the GPT-2 split regex, bytes as printable characters, merges
/// learned greedily by pair frequency; Sennrich et al. 2016, https://arxiv.org/abs/1508.07909) and writes it as a
/// Hugging Face <c>tokenizer.json</c>. Ties between equally frequent pairs go to the ordinally smallest pair, so the
/// same corpus always gives the same file.
/// </summary>
public static class BpeTrainer
{
    static readonly Regex Gpt2Split = new(ByteLevelPreTokenizer.Gpt2Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>Learns the vocabulary and merges of <paramref name="texts"/>.</summary>
    public static TrainedBpe Train(IEnumerable<string> texts, BpeTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            // Special tokens are matched before pre-tokenization when encoding, so their text never reaches the merges.
            foreach (var part in SplitOnSpecials(text, options.SpecialTokens))
                foreach (Match m in Gpt2Split.Matches(part))
                {
                    var piece = ByteLevelAlphabet.Encode(m.Value);
                    counts[piece] = counts.GetValueOrDefault(piece) + 1;
                }
        }
        var words = counts.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (Symbols: p.Key.Select(c => c.ToString()).ToList(), Count: p.Value)).ToList();

        var vocab = new List<string>(options.SpecialTokens);
        vocab.AddRange(ByteLevelAlphabet.ByteToChar.Select(c => c.ToString()));
        var known = new HashSet<string>(vocab, StringComparer.Ordinal);
        var merges = new List<(string Left, string Right)>();
        while (vocab.Count < options.VocabSize)
        {
            var pairs = new Dictionary<(string, string), long>();
            foreach (var (symbols, count) in words)
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    var pair = (symbols[i], symbols[i + 1]);
                    pairs[pair] = pairs.GetValueOrDefault(pair) + count;
                }
            (string Left, string Right)? best = null;
            long bestCount = 0;
            foreach (var (pair, count) in pairs)
                if (count > bestCount || (count == bestCount && best is { } b && ComparePairs(pair, b) < 0))
                    (best, bestCount) = (pair, count);
            if (best is not { } chosen || bestCount < options.MinFrequency) break;
            var merged = chosen.Left + chosen.Right;
            merges.Add(chosen);
            if (known.Add(merged)) vocab.Add(merged);
            foreach (var (symbols, _) in words) MergeInPlace(symbols, chosen.Left, chosen.Right, merged);
        }
        return new TrainedBpe(vocab, merges, options.SpecialTokens);
    }

    static int ComparePairs((string, string) a, (string, string) b)
    {
        var c = string.CompareOrdinal(a.Item1, b.Item1);
        return c != 0 ? c : string.CompareOrdinal(a.Item2, b.Item2);
    }

    static void MergeInPlace(List<string> symbols, string left, string right, string merged)
    {
        for (var i = 0; i + 1 < symbols.Count; i++)
            if (symbols[i] == left && symbols[i + 1] == right)
            {
                symbols[i] = merged;
                symbols.RemoveAt(i + 1);
            }
    }

    static IEnumerable<string> SplitOnSpecials(string text, IReadOnlyList<string> specials)
    {
        if (specials.Count == 0) { yield return text; yield break; }
        var start = 0;
        while (start < text.Length)
        {
            var (at, length) = (-1, 0);
            foreach (var s in specials)
            {
                var i = text.IndexOf(s, start, StringComparison.Ordinal);
                if (i >= 0 && (at < 0 || i < at)) (at, length) = (i, s.Length);
            }
            if (at < 0) { yield return text[start..]; yield break; }
            if (at > start) yield return text[start..at];
            start = at + length;
        }
    }

    /// <summary>
    /// Writes <paramref name="bpe"/> as <c>tokenizer.json</c> (byte-level pre-tokenizer without prefix space, byte-level
    /// decoder, special tokens as added tokens) — the layout <c>tokenizers</c> saves for GPT-2-style models.
    /// </summary>
    public static void WriteTokenizerJson(TrainedBpe bpe, string path)
    {
        ArgumentNullException.ThrowIfNull(bpe);
        var vocab = new JsonObject();
        for (var i = 0; i < bpe.Vocabulary.Count; i++) vocab[bpe.Vocabulary[i]] = i;
        JsonObject ByteLevel() => new() { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(bpe.SpecialTokens.Select((t, i) => (JsonNode)new JsonObject
            {
                ["id"] = i, ["content"] = t, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = true,
            }).ToArray()),
            ["normalizer"] = null,
            ["pre_tokenizer"] = ByteLevel(),
            ["post_processor"] = ByteLevel(),
            ["decoder"] = ByteLevel(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(bpe.Merges.Select(m => (JsonNode)new JsonArray(m.Left, m.Right)).ToArray()),
            },
        };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = path + ".tmp";
        File.WriteAllText(temp, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        File.Move(temp, path, overwrite: true);
    }
}
