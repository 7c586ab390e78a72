using System.Text.Json.Nodes;
using RagTune.Models;

namespace RagTune.Training.Tests.Support;

/// <summary>Writes a small randomly initialised Llama checkpoint folder with a word-level tokenizer.json.</summary>
public static class TinyModelFolder
{
    /// <summary>Creates the folder; the vocabulary is the special tokens plus every word of <paramref name="texts"/>.</summary>
    public static string Create(string dir, IEnumerable<string> texts, int hidden = 64, int layers = 2, int heads = 4, int seed = 0,
                                int maxPositions = 128, int? intermediate = null)
    {
        Directory.CreateDirectory(dir);
        string[] specials = ["<pad>", "<s>", "</s>", "<unk>"];
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
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"),
            """{"bos_token":"<s>","eos_token":"</s>","pad_token":"<pad>","unk_token":"<unk>","tokenizer_class":"PreTrainedTokenizerFast"}""");
        var config = ModelConfig.Parse(new JsonObject
        {
            ["model_type"] = "llama", ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = words.Count,
            ["hidden_size"] = hidden, ["intermediate_size"] = intermediate ?? 2 * hidden, ["num_hidden_layers"] = layers,
            ["num_attention_heads"] = heads, ["num_key_value_heads"] = heads, ["max_position_embeddings"] = maxPositions,
            ["rms_norm_eps"] = 1e-5, ["rope_theta"] = 10000.0, ["tie_word_embeddings"] = false, ["bos_token_id"] = 1, ["eos_token_id"] = 2,
            ["pad_token_id"] = 0, ["initializer_range"] = 0.02, ["hidden_act"] = "silu",
        }.ToJsonString());
        using var model = ModelArchitectures.Create(config);
        model.InitializeWeights(seed);
        ModelSaver.Save(model, dir);
        return dir;
    }
}
