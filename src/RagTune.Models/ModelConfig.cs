using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RagTune.Models;

/// <summary>
/// A checkpoint's <c>config.json</c>. The raw JSON is kept (and written back as is by <see cref="Save"/>); typed
/// accessors give what the architectures need, with the Hugging Face config classes' defaults per <c>model_type</c>.
/// </summary>
public sealed class ModelConfig
{
    /// <summary>The <c>model_type</c> values this engine can run.</summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } = ["llama", "mistral", "qwen2", "gpt2", "bert"];

    ModelConfig(JsonObject raw, string? source)
    {
        Raw = raw;
        Source = source;
        ModelType = GetString("model_type") ?? "";
        if (!SupportedModelTypes.Contains(ModelType))
            throw new ModelLoadException(
                $"{source ?? "config.json"}: model_type '{ModelType}' is not supported. Supported: {string.Join(", ", SupportedModelTypes)}.",
                source);
    }

    /// <summary>The JSON object as read (mutable: changes are written by <see cref="Save"/>).</summary>
    public JsonObject Raw { get; }

    /// <summary>Where the config came from (file path), when known.</summary>
    public string? Source { get; }

    /// <summary><c>model_type</c> (llama, mistral, qwen2, gpt2, bert).</summary>
    public string ModelType { get; }

    /// <summary><c>architectures</c> (e.g. <c>LlamaForCausalLM</c>); empty when absent.</summary>
    public IReadOnlyList<string> Architectures =>
        Raw["architectures"] is JsonArray a ? a.Select(x => x?.GetValue<string>() ?? "").ToList() : [];

    /// <summary>Reads <c>config.json</c> from a checkpoint folder.</summary>
    public static ModelConfig FromFolder(string dir) => FromFile(Path.Combine(dir, "config.json"));

    /// <summary>Reads a config file.</summary>
    /// <exception cref="ModelLoadException">Missing file, bad JSON or unsupported model type.</exception>
    public static ModelConfig FromFile(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"{path}: config.json not found.", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses config JSON text.</summary>
    public static ModelConfig Parse(string json, string? source = null)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException e) { throw new ModelLoadException($"{source ?? "config.json"}: not valid JSON ({e.Message}).", source, inner: e); }
        return node is JsonObject o
            ? new ModelConfig(o, source)
            : throw new ModelLoadException($"{source ?? "config.json"}: must be a JSON object.", source);
    }

    /// <summary>A deep copy (e.g. to change values for a new model).</summary>
    public ModelConfig Clone() => new((JsonObject)Raw.DeepClone(), Source);

    /// <summary>Writes the JSON (2-space indented, as <c>save_pretrained</c>) to <paramref name="path"/>.</summary>
    public void Save(string path) =>
        File.WriteAllText(path, Raw.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    bool IsLlamaFamily => ModelType is "llama" or "mistral" or "qwen2";

    /// <summary><c>vocab_size</c>.</summary>
    public int VocabSize => RequireInt("vocab_size");

    /// <summary><c>hidden_size</c> (GPT-2: <c>n_embd</c>).</summary>
    public int HiddenSize => ModelType == "gpt2" ? GetInt("n_embd") ?? 768 : RequireInt("hidden_size");

    /// <summary><c>num_hidden_layers</c> (GPT-2: <c>n_layer</c>).</summary>
    public int NumHiddenLayers => ModelType == "gpt2" ? GetInt("n_layer") ?? 12 : RequireInt("num_hidden_layers");

    /// <summary><c>num_attention_heads</c> (GPT-2: <c>n_head</c>).</summary>
    public int NumAttentionHeads => ModelType == "gpt2" ? GetInt("n_head") ?? 12 : RequireInt("num_attention_heads");

    /// <summary><c>num_key_value_heads</c> (grouped-query attention); defaults to the number of heads.</summary>
    public int NumKeyValueHeads => GetInt("num_key_value_heads") ?? NumAttentionHeads;

    /// <summary><c>head_dim</c>; defaults to hidden size / heads.</summary>
    public int HeadDim => GetInt("head_dim") ?? HiddenSize / NumAttentionHeads;

    /// <summary><c>intermediate_size</c> (GPT-2: <c>n_inner</c>, default 4 × hidden).</summary>
    public int IntermediateSize => ModelType == "gpt2" ? GetInt("n_inner") ?? 4 * HiddenSize : RequireInt("intermediate_size");

    /// <summary><c>max_position_embeddings</c> (GPT-2: <c>n_positions</c>).</summary>
    public int MaxPositionEmbeddings => ModelType == "gpt2"
        ? GetInt("n_positions") ?? 1024
        : GetInt("max_position_embeddings") ?? (ModelType == "bert" ? 512 : 2048);

    /// <summary><c>rms_norm_eps</c> (Llama family; default 1e-6).</summary>
    public double RmsNormEps => GetDouble("rms_norm_eps") ?? 1e-6;

    /// <summary>LayerNorm epsilon: <c>layer_norm_epsilon</c> (GPT-2, default 1e-5) or <c>layer_norm_eps</c> (BERT, default 1e-12).</summary>
    public double LayerNormEps => ModelType == "gpt2" ? GetDouble("layer_norm_epsilon") ?? 1e-5 : GetDouble("layer_norm_eps") ?? 1e-12;

    /// <summary>
    /// The sliding attention window of <paramref name="layer"/> (a query attends to the last <c>window</c> positions,
    /// itself included), or null for full causal attention: Mistral's <c>sliding_window</c> on every layer; Qwen2's
    /// only with <c>use_sliding_window</c>, from layer <c>max_window_layers</c> on.
    /// </summary>
    public int? SlidingWindow(int layer) => ModelType switch
    {
        "mistral" => GetInt("sliding_window"),
        "qwen2" when GetBool("use_sliding_window") == true && layer >= (GetInt("max_window_layers") ?? 0) => GetInt("sliding_window"),
        _ => null,
    };

    /// <summary><c>rope_theta</c> (default 10000).</summary>
    public double RopeTheta => GetDouble("rope_theta") ?? 10000.0;

    /// <summary><c>rope_scaling</c> object, or null.</summary>
    public JsonObject? RopeScaling => Raw["rope_scaling"] as JsonObject;

    /// <summary><c>tie_word_embeddings</c>: false by default for Llama/Mistral/Qwen2, true otherwise (HF defaults).</summary>
    public bool TieWordEmbeddings => GetBool("tie_word_embeddings") ?? !IsLlamaFamily;

    /// <summary>Whether q/k/v (and o for Llama) projections have biases: <c>attention_bias</c>, always for Qwen2's q/k/v.</summary>
    public bool AttentionBias => GetBool("attention_bias") ?? false;

    /// <summary><c>mlp_bias</c> (Llama; default false).</summary>
    public bool MlpBias => GetBool("mlp_bias") ?? false;

    /// <summary><c>hidden_act</c> (GPT-2: <c>activation_function</c>).</summary>
    public string HiddenAct => ModelType == "gpt2" ? GetString("activation_function") ?? "gelu_new" : GetString("hidden_act") ?? (ModelType == "bert" ? "gelu" : "silu");

    /// <summary><c>type_vocab_size</c> (BERT; default 2).</summary>
    public int TypeVocabSize => GetInt("type_vocab_size") ?? 2;

    /// <summary><c>pad_token_id</c>, or null.</summary>
    public int? PadTokenId => GetInt("pad_token_id");

    /// <summary><c>bos_token_id</c>, or null.</summary>
    public int? BosTokenId => GetInt("bos_token_id");

    /// <summary><c>eos_token_id</c> (a number or a list), empty when absent.</summary>
    public IReadOnlyList<int> EosTokenIds => Raw["eos_token_id"] switch
    {
        JsonArray a => a.Where(x => x is not null).Select(x => x!.GetValue<int>()).ToList(),
        JsonValue v when v.TryGetValue<int>(out var i) => [i],
        _ => [],
    };

    /// <summary><c>torch_dtype</c> as written (e.g. <c>bfloat16</c>), or null.</summary>
    public string? TorchDtype => GetString("torch_dtype");

    /// <summary><c>id2label</c> (class index → name); defaults to LABEL_i for <see cref="NumLabels"/> classes.</summary>
    public IReadOnlyDictionary<int, string> Id2Label
    {
        get
        {
            if (Raw["id2label"] is JsonObject o)
                return o.ToDictionary(kv => int.Parse(kv.Key, CultureInfo.InvariantCulture), kv => kv.Value?.GetValue<string>() ?? "");
            var n = GetInt("num_labels") ?? 2;
            return Enumerable.Range(0, n).ToDictionary(i => i, i => $"LABEL_{i}");
        }
    }

    /// <summary><c>label2id</c> (class name → index); the inverse of <see cref="Id2Label"/> when absent.</summary>
    public IReadOnlyDictionary<string, int> Label2Id => Raw["label2id"] is JsonObject o
        ? o.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<int>())
        : Id2Label.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>Number of classes for sequence classification (size of <c>id2label</c>, or <c>num_labels</c>, default 2).</summary>
    public int NumLabels => Raw["id2label"] is JsonObject o ? o.Count : GetInt("num_labels") ?? 2;

    /// <summary>An integer value, or null when absent or null.</summary>
    public int? GetInt(string key) => Raw[key] is JsonValue v
        ? v.TryGetValue<int>(out var i) ? i : v.TryGetValue<double>(out var d) && d == Math.Floor(d) ? (int)d : null
        : null;

    /// <summary>A number, or null.</summary>
    public double? GetDouble(string key) => Raw[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>A boolean, or null.</summary>
    public bool? GetBool(string key) => Raw[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    /// <summary>A string, or null.</summary>
    public string? GetString(string key) => Raw[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    int RequireInt(string key) => GetInt(key)
        ?? throw new ModelLoadException($"{Source ?? "config.json"}: '{key}' is required for model_type '{ModelType}'.", Source);
}
