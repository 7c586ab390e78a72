using System.Text.Json.Nodes;
using RagTune.Models.Tokenization;
using RagTune.Tests;

namespace RagTune.Models.Tests.Tokenization;

/// <summary>
/// Writes the tokenizer.json a Llama 2 / Mistral checkpoint ships (legacy layout: Prepend("▁") + Replace(" ", "▁")
/// normalizer, BPE with byte_fallback, Replace/ByteFallback/Fuse/Strip decoder) from the SentencePiece fixture.
/// Merges are derived the way transformers' <c>SentencePieceExtractor</c> does: every split of a piece into two
/// vocabulary pieces, ordered by the merged piece's score.
/// </summary>
internal static class LlamaTokenizerJsonBuilder
{
    public static string Folder()
    {
        var source = TestPaths.Tokenizer("mistral-sentencepiece");
        var sp = SentencePieceModel.Load(Path.Combine(source, "tokenizer.model"));
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < sp.Pieces.Length; i++) vocab.TryAdd(sp.Pieces[i], i);
        var merges = new List<(string L, string R, float Score, int Order)>();
        for (var id = 0; id < sp.Pieces.Length; id++)
        {
            var piece = sp.Pieces[id];
            var local = new List<(string, string)>();
            for (var cut = 1; cut < piece.Length; cut++)
            {
                if (char.IsLowSurrogate(piece[cut])) continue;
                var (l, r) = (piece[..cut], piece[cut..]);
                if (vocab.ContainsKey(l) && vocab.ContainsKey(r)) local.Add((l, r));
            }
            foreach (var (l, r) in local.OrderBy(p => vocab[p.Item1]).ThenBy(p => vocab[p.Item2]))
                merges.Add((l, r, sp.Scores[id], merges.Count));
        }
        var mergeArray = new JsonArray();
        foreach (var m in merges.OrderByDescending(m => m.Score).ThenBy(m => m.Order)) mergeArray.Add(new JsonArray(m.L, m.R));
        var vocabJson = new JsonObject();
        foreach (var (piece, id) in vocab) vocabJson[piece] = id;

        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(Added(0, "<unk>"), Added(1, "<s>"), Added(2, "</s>")),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
            },
            ["pre_tokenizer"] = null,
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                ["special_tokens"] = new JsonObject { ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(1), ["tokens"] = new JsonArray("<s>") } },
            },
            ["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "▁" }, ["content"] = " " },
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" },
                    new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = "<unk>", ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = true, ["byte_fallback"] = true, ["ignore_merges"] = false, ["vocab"] = vocabJson, ["merges"] = mergeArray,
            },
        };
        var dir = TestPaths.NewTempDir("llama-json");
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json.ToJsonString());
        return dir;
    }

    static JsonObject Added(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
    };
}
