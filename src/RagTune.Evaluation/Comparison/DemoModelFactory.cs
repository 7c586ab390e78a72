using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RagTune.Models;

namespace RagTune.Evaluation.Comparison;

/// <summary>
/// Builds the demo's "base model" as a Hugging Face folder the engine loads like any other checkpoint: a word-level
/// <c>tokenizer.json</c> over the domain's words, a <c>tokenizer_config.json</c> with a small chat template, and a
/// Llama-shaped <c>config.json</c> + <c>model.safetensors</c> with random weights (written by <see cref="ModelSaver"/>).
/// </summary>
public static partial class DemoModelFactory
{
    /// <summary>Special tokens, in id order.</summary>
    public static IReadOnlyList<string> SpecialTokens { get; } = ["<unk>", "<pad>", "</s>", "<system>", "<user>", "<assistant>"];

    /// <summary>The chat template: each message as <c>&lt;role&gt; content</c>, then <c>&lt;assistant&gt;</c>.</summary>
    public const string ChatTemplateSource =
        "{% for message in messages %}<{{ message['role'] }}> {{ message['content'] }} {% endfor %}" +
        "{% if add_generation_prompt %}<assistant>{% endif %}";

    [GeneratedRegex(@"\w+|[^\w\s]+")]
    private static partial Regex WordPattern();

    /// <summary>
    /// Writes the tokenizer files into <paramref name="dir"/>: every word (the Whitespace pre-tokenizer's pieces) of
    /// <paramref name="texts"/> becomes one token, in first-seen order after the special tokens.
    /// </summary>
    public static int WriteTokenizer(string dir, IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        Directory.CreateDirectory(dir);
        var vocab = new JsonObject();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in SpecialTokens) { seen.Add(token); vocab[token] = seen.Count - 1; }
        foreach (var text in texts.Append(DemoPrompts.Vocabulary))
            foreach (Match m in WordPattern().Matches(text))
                if (seen.Add(m.Value)) vocab[m.Value] = seen.Count - 1;
        var added = new JsonArray(SpecialTokens.Select((t, i) => (JsonNode)new JsonObject
        {
            ["id"] = i, ["content"] = t, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
            ["normalized"] = false, ["special"] = true,
        }).ToArray());
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "Whitespace" },
            ["post_processor"] = null,
            ["decoder"] = null,
            ["model"] = new JsonObject { ["type"] = "WordLevel", ["vocab"] = vocab, ["unk_token"] = "<unk>" },
        };
        var config = new JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["unk_token"] = "<unk>",
            ["pad_token"] = "<pad>",
            ["eos_token"] = "</s>",
            ["model_max_length"] = 256,
            ["chat_template"] = ChatTemplateSource,
        };
        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString(indented));
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString(indented));
        return seen.Count;
    }

    /// <summary>
    /// Creates a Llama-shaped model with random weights (seeded) for <paramref name="vocabSize"/> tokens and saves it
    /// into <paramref name="dir"/>; returns the model (the caller owns it).
    /// </summary>
    public static PretrainedModel CreateBaseModel(string dir, int vocabSize, DemoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = ModelConfig.Parse(new JsonObject
        {
            ["model_type"] = "llama",
            ["architectures"] = new JsonArray("LlamaForCausalLM"),
            ["vocab_size"] = vocabSize,
            ["hidden_size"] = options.HiddenSize,
            ["intermediate_size"] = options.HiddenSize * 2,
            ["num_hidden_layers"] = options.Layers,
            ["num_attention_heads"] = options.Heads,
            ["num_key_value_heads"] = options.Heads,
            ["max_position_embeddings"] = 256,
            ["rms_norm_eps"] = 1e-5,
            ["rope_theta"] = 10000.0,
            ["tie_word_embeddings"] = true,
            ["initializer_range"] = 0.02,
            ["pad_token_id"] = 1,
            ["eos_token_id"] = 2,
        }.ToJsonString(), Path.Combine(dir, "config.json"));
        var model = ModelArchitectures.Create(config);
        model.InitializeWeights(options.Seed);
        ModelSaver.Save(model, dir);
        return model;
    }
}
