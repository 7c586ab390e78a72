using System.Text.Json.Nodes;
using RagTune.Tests;

namespace RagTune.Models.Tests.Tokenization;

/// <summary>
/// Writes Hugging Face tokenizer.json files (the tokenizers serialization format) from the legacy fixture files,
/// as <c>save_pretrained</c> of the fast GPT-2 and BERT tokenizers lays them out.
/// </summary>
internal static class TokenizerJsonBuilder
{
    /// <summary>A folder with a byte-level BPE tokenizer.json built from the gpt2 fixture's vocab.json + merges.txt.</summary>
    public static string Gpt2Folder(bool mergesAsPairs)
    {
        var source = TestPaths.Tokenizer("gpt2");
        var vocab = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "vocab.json")))!.AsObject();
        var merges = new JsonArray();
        foreach (var line in File.ReadAllLines(Path.Combine(source, "merges.txt")).Skip(1).Where(l => l.Length > 0))
        {
            var parts = line.Split(' ');
            merges.Add(mergesAsPairs ? new JsonArray(parts[0], parts[1]) : JsonValue.Create(line));
        }
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(AddedToken(50256, "<|endoftext|>", normalized: true)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "", ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false, ["vocab"] = vocab.DeepClone(), ["merges"] = merges,
            },
        };
        return WriteFolder("gpt2-json", json, Path.Combine(source, "tokenizer_config.json"));
    }

    /// <summary>
    /// The gpt2 vocabulary with Llama 3's / Qwen2's tokenizer.json layout: NFC normalizer (Qwen2), Split(regex) +
    /// ByteLevel(use_regex: false) pre-tokenizer, ignore_merges (Llama 3), Sequence[ByteLevel, TemplateProcessing] post-processor.
    /// </summary>
    public static string SplitPatternFolder(string pattern, bool nfc, bool ignoreMerges)
    {
        var dir = Gpt2Folder(mergesAsPairs: true);
        var path = Path.Combine(dir, "tokenizer.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["normalizer"] = nfc ? new JsonObject { ["type"] = "NFC" } : null;
        json["pre_tokenizer"] = new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
        };
        json["post_processor"] = new JsonObject
        {
            ["type"] = "Sequence",
            ["processors"] = new JsonArray(
                new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
                new JsonObject
                {
                    ["type"] = "TemplateProcessing",
                    ["single"] = new JsonArray(Special("<|endoftext|>"), new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                    ["special_tokens"] = new JsonObject
                    {
                        ["<|endoftext|>"] = new JsonObject { ["id"] = "<|endoftext|>", ["ids"] = new JsonArray(50256), ["tokens"] = new JsonArray("<|endoftext|>") },
                    },
                }),
        };
        json["model"]!["ignore_merges"] = ignoreMerges;
        File.WriteAllText(path, json.ToJsonString());
        return dir;
    }

    /// <summary>A folder with a WordPiece tokenizer.json built from the bert fixture's vocab.txt.</summary>
    public static string BertFolder(bool bertProcessing)
    {
        var source = TestPaths.Tokenizer("bert-base-uncased");
        var vocab = new JsonObject();
        var lines = File.ReadAllText(Path.Combine(source, "vocab.txt")).Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].Length > 0 && !vocab.ContainsKey(lines[i])) vocab[lines[i]] = i;
        JsonNode post = bertProcessing
            ? new JsonObject { ["type"] = "BertProcessing", ["sep"] = new JsonArray("[SEP]", 102), ["cls"] = new JsonArray("[CLS]", 101) }
            : new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special("[CLS]"), new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }, Special("[SEP]")),
                ["pair"] = new JsonArray(),
                ["special_tokens"] = new JsonObject
                {
                    ["[CLS]"] = new JsonObject { ["id"] = "[CLS]", ["ids"] = new JsonArray(101), ["tokens"] = new JsonArray("[CLS]") },
                    ["[SEP]"] = new JsonObject { ["id"] = "[SEP]", ["ids"] = new JsonArray(102), ["tokens"] = new JsonArray("[SEP]") },
                },
            };
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(AddedToken(0, "[PAD]"), AddedToken(100, "[UNK]"), AddedToken(101, "[CLS]"), AddedToken(102, "[SEP]"), AddedToken(103, "[MASK]")),
            ["normalizer"] = new JsonObject { ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = null, ["lowercase"] = true },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = post,
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["continuing_subword_prefix"] = "##", ["max_input_chars_per_word"] = 100, ["vocab"] = vocab,
            },
        };
        return WriteFolder("bert-json", json, Path.Combine(source, "tokenizer_config.json"));
    }

    static JsonObject Special(string token) => new() { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = 0 } };

    static JsonObject AddedToken(int id, string content, bool normalized = false) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = normalized, ["special"] = true,
    };

    static string WriteFolder(string prefix, JsonObject json, string configSource)
    {
        var dir = TestPaths.NewTempDir(prefix);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json.ToJsonString());
        File.Copy(configSource, Path.Combine(dir, "tokenizer_config.json"));
        return dir;
    }
}
