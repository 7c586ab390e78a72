using System.Text.Json.Nodes;
using RagTune.Models;
using RagTune.Tests;

namespace RagTune.Training.Tests.Support;

/// <summary>Writes a small randomly initialised Llama checkpoint folder with a word-level tokenizer.json.</summary>
public static class TinyModelFolder
{
    /// <summary>
    /// Creates the folder; the vocabulary is the special tokens plus every word of <paramref name="texts"/>. With
    /// <paramref name="chatMl"/> the tokenizer also has <c>&lt;|im_start|&gt;</c>/<c>&lt;|im_end|&gt;</c>, EOS is
    /// <c>&lt;|im_end|&gt;</c> and tokenizer_config.json carries the ChatML template of tests/data/templates/chatml.
    /// </summary>
    public static string Create(string dir, IEnumerable<string> texts, int hidden = 64, int layers = 2, int heads = 4, int seed = 0,
                                int maxPositions = 128, int? intermediate = null, bool chatMl = false)
    {
        Directory.CreateDirectory(dir);
        string[] specials = chatMl ? ["<pad>", "<s>", "</s>", "<unk>", "<|im_start|>", "<|im_end|>"] : ["<pad>", "<s>", "</s>", "<unk>"];
        if (chatMl) texts = texts.Concat(["system user assistant"]);
        var words = specials.Concat(texts.SelectMany(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal)
            .Where(w => !specials.Contains(w))).ToList();
        var vocab = new JsonObject();
        for (var i = 0; i < words.Count; i++) vocab[words[i]] = i;
        var added = new JsonArray(specials.Select((s, i) => (JsonNode)new JsonObject
        {
            ["id"] = i, ["content"] = s, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
        }).ToArray());
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null, ["added_tokens"] = added, ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "WhitespaceSplit" }, ["post_processor"] = null, ["decoder"] = null,
            ["model"] = new JsonObject { ["type"] = "WordLevel", ["vocab"] = vocab, ["unk_token"] = "<unk>" },
        };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString());
        var tokenizerConfig = new JsonObject
        {
            ["bos_token"] = "<s>", ["eos_token"] = chatMl ? "<|im_end|>" : "</s>", ["pad_token"] = "<pad>", ["unk_token"] = "<unk>",
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
        };
        if (chatMl)
            tokenizerConfig["chat_template"] = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Data, "templates", "chatml", "tokenizer_config.json")))!["chat_template"]!.GetValue<string>();
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), tokenizerConfig.ToJsonString());
        var config = ModelConfig.Parse(new JsonObject
        {
            ["model_type"] = "llama", ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = words.Count,
            ["hidden_size"] = hidden, ["intermediate_size"] = intermediate ?? 2 * hidden, ["num_hidden_layers"] = layers,
            ["num_attention_heads"] = heads, ["num_key_value_heads"] = heads, ["max_position_embeddings"] = maxPositions,
            ["rms_norm_eps"] = 1e-5, ["rope_theta"] = 10000.0, ["tie_word_embeddings"] = false, ["bos_token_id"] = 1, ["eos_token_id"] = chatMl ? 5 : 2,
            ["pad_token_id"] = 0, ["initializer_range"] = 0.02, ["hidden_act"] = "silu",
        }.ToJsonString());
        using var model = ModelArchitectures.Create(config);
        model.InitializeWeights(seed);
        ModelSaver.Save(model, dir);
        return dir;
    }
}
