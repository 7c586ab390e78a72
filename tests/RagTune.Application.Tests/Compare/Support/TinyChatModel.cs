using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RagTune.Models;

namespace RagTune.Application.Tests.Compare.Support;

/// <summary>
/// A tiny randomly initialised Llama checkpoint folder with a word-level tokenizer over the given texts (words and
/// punctuation runs, as the Whitespace pre-tokenizer splits them) and a small chat template: what a user's Hugging
/// Face folder looks like, in a few hundred kilobytes.
/// </summary>
public static partial class TinyChatModel
{
    const string Template = "{% for message in messages %}<{{ message['role'] }}> {{ message['content'] }} {% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";
    static readonly string[] Specials = ["<unk>", "<pad>", "</s>", "<system>", "<user>", "<assistant>"];

    [GeneratedRegex(@"\w+|[^\w\s]+")]
    private static partial Regex Words();

    /// <summary>Writes the folder and returns it.</summary>
    public static string Create(string dir, IEnumerable<string> texts, int hidden = 32, int layers = 1, int seed = 0)
    {
        Directory.CreateDirectory(dir);
        var vocab = new JsonObject();
        var seen = new List<string>(Specials);
        foreach (var s in Specials) vocab[s] = vocab.Count;
        foreach (var text in texts)
            foreach (Match m in Words().Matches(text))
                if (!vocab.ContainsKey(m.Value)) { vocab[m.Value] = vocab.Count; seen.Add(m.Value); }
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null, ["normalizer"] = null, ["post_processor"] = null, ["decoder"] = null,
            ["added_tokens"] = new JsonArray(Specials.Select((t, i) => (JsonNode)new JsonObject
            {
                ["id"] = i, ["content"] = t, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            }).ToArray()),
            ["pre_tokenizer"] = new JsonObject { ["type"] = "Whitespace" },
            ["model"] = new JsonObject { ["type"] = "WordLevel", ["vocab"] = vocab, ["unk_token"] = "<unk>" },
        };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), new JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast", ["unk_token"] = "<unk>", ["pad_token"] = "<pad>", ["eos_token"] = "</s>",
            ["model_max_length"] = 1024, ["chat_template"] = Template,
        }.ToJsonString());
        var config = ModelConfig.Parse(new JsonObject
        {
            ["model_type"] = "llama", ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = vocab.Count,
            ["hidden_size"] = hidden, ["intermediate_size"] = 2 * hidden, ["num_hidden_layers"] = layers, ["num_attention_heads"] = 4,
            ["num_key_value_heads"] = 4, ["max_position_embeddings"] = 1024, ["rms_norm_eps"] = 1e-5, ["rope_theta"] = 10000.0,
            ["tie_word_embeddings"] = true, ["initializer_range"] = 0.02, ["pad_token_id"] = 1, ["eos_token_id"] = 2,
        }.ToJsonString(), Path.Combine(dir, "config.json"));
        using var model = ModelArchitectures.Create(config);
        model.InitializeWeights(seed);
        // Special tokens get zero embeddings (tied, so zero logits): a random model then says words, not an instant
        // end-of-sequence, and tests comparing answers compare something.
        using (TorchSharp.torch.no_grad())
            model.state_dict()["model.embed_tokens.weight"].narrow(0, 0, Specials.Length).zero_();
        ModelSaver.Save(model, dir);
        return dir;
    }
}
