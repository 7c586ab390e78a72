using System.Text.Json;
using RagTune.Models.Architectures.Llama;
using static TorchSharp.torch;

namespace RagTune.Models.Gguf;

/// <summary>
/// Writes a Llama-family model (Llama 2/3.x, Mistral, Qwen2, SmolLM2) as a GGUF v3 file llama.cpp and Ollama load:
/// the <c>general.*</c> and <c>llama.*</c>/<c>qwen2.*</c> keys llama.cpp's converter writes, tensors in llama.cpp's names
/// with q/k rows reordered for its RoPE (llama architecture), llama3 RoPE scaling as a <c>rope_freqs</c> tensor, the
/// tokenizer and chat template of the model folder. The Hugging Face config is kept under <c>ragtune.hf_config</c>, so
/// <see cref="GgufModelLoader"/> rebuilds exactly the same model.
/// </summary>
public static class GgufExporter
{
    /// <summary>Key holding the exported model's <c>config.json</c> text (ignored by llama.cpp).</summary>
    public const string HfConfigKey = "ragtune.hf_config";

    /// <summary>Exports the checkpoint folder <paramref name="modelDir"/> to <paramref name="path"/>.</summary>
    /// <exception cref="ModelLoadException">The model, its tokenizer or its config cannot be represented in GGUF.</exception>
    public static void Export(string modelDir, string path, GgufExportOptions? options = null)
    {
        using var model = ModelLoader.Load(modelDir);
        Export(model, modelDir, path, options);
    }

    /// <summary>
    /// Exports a loaded model (e.g. with a LoRA adapter merged) to <paramref name="path"/>; the tokenizer and chat template
    /// come from <paramref name="tokenizerDir"/>.
    /// </summary>
    public static void Export(PretrainedModel model, string tokenizerDir, string path, GgufExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new GgufExportOptions();
        var writer = new GgufWriter();
        var layout = Describe(model, writer, options.Name ?? Path.GetFileName(Path.GetFullPath(tokenizerDir).TrimEnd('/')), options.FileType);
        GgufTokenizerExport.Write(writer, tokenizerDir, model.Config);
        foreach (var (key, tensor) in ModelSaver.StateDict(model))
        {
            var name = LlamaGgufNames.ToGguf(key) ?? throw new ModelLoadException($"{model.Architecture}: parameter '{key}' has no llama.cpp tensor name.", null, key);
            var t = tensor;
            var shape = t.shape;
            var type = shape.Length == 1 ? GgmlType.F32 : MatrixType(options.FileType, shape[^1]);
            writer.AddTensor(name, shape, type, () => Encode(t, type, layout.Permutation(key)));
        }
        writer.Write(path, options.Progress);
    }

    /// <summary>How rows of q/k are reordered for llama.cpp: the head count to permute with, or null.</summary>
    internal sealed record Layout(string Arch, int Heads, int KvHeads)
    {
        public int? Permutation(string key) => Arch != "llama" ? null
            : LlamaGgufNames.IsQuery(key) ? Heads : LlamaGgufNames.IsKey(key) ? KvHeads : null;
    }

    /// <summary>Checks the model is exportable and sets the architecture metadata (and the rope_freqs tensor).</summary>
    internal static Layout Describe(PretrainedModel model, GgufWriter writer, string name, GgufFileType fileType)
    {
        var c = model.Config;
        if (model is not LlamaForCausalLM)
            throw new ModelLoadException($"GGUF export supports the Llama family (LlamaForCausalLM: llama, mistral, qwen2); this model is {model.Architecture}.");
        if (model.Module.modules().OfType<Nn.Linear>().Any(l => l.weight_scale is not null))
            throw new ModelLoadException("The model's projections are int8 inference blocks; export the original weights (use --type q8_0 for Q8_0).");
        var arch = c.ModelType == "qwen2" ? "qwen2" : "llama";
        if (c.HiddenAct != "silu") throw new ModelLoadException($"{c.Source}: hidden_act '{c.HiddenAct}' cannot be expressed for llama.cpp's {arch} (needs silu).", c.Source);
        if (c.MlpBias || (arch == "llama" && c.AttentionBias))
            throw new ModelLoadException($"{c.Source}: attention/MLP biases are not part of llama.cpp's llama architecture.", c.Source);
        writer.Set("general.architecture", arch);
        writer.Set("general.type", "model");
        writer.Set("general.name", name);
        writer.Set("general.file_type", (uint)fileType);
        writer.Set("general.quantization_version", 2u);
        writer.Set($"{arch}.vocab_size", (uint)c.VocabSize);
        writer.Set($"{arch}.context_length", (uint)c.MaxPositionEmbeddings);
        writer.Set($"{arch}.embedding_length", (uint)c.HiddenSize);
        writer.Set($"{arch}.block_count", (uint)c.NumHiddenLayers);
        writer.Set($"{arch}.feed_forward_length", (uint)c.IntermediateSize);
        writer.Set($"{arch}.attention.head_count", (uint)c.NumAttentionHeads);
        writer.Set($"{arch}.attention.head_count_kv", (uint)c.NumKeyValueHeads);
        writer.Set($"{arch}.attention.layer_norm_rms_epsilon", (float)c.RmsNormEps);
        writer.Set($"{arch}.rope.freq_base", (float)c.RopeTheta);
        writer.Set($"{arch}.rope.dimension_count", (uint)c.HeadDim);
        if (c.HeadDim != c.HiddenSize / c.NumAttentionHeads)
        {
            writer.Set($"{arch}.attention.key_length", (uint)c.HeadDim);
            writer.Set($"{arch}.attention.value_length", (uint)c.HeadDim);
        }
        var scaling = c.RopeScaling;
        var ropeType = (scaling?["rope_type"] ?? scaling?["type"])?.GetValue<string>() ?? "default";
        switch (ropeType)
        {
            case "default":
                break;
            case "linear":
                writer.Set($"{arch}.rope.scaling.type", "linear");
                writer.Set($"{arch}.rope.scaling.factor", (float)scaling!["factor"]!.GetValue<double>());
                break;
            case "llama3":
                var factors = Llama3FrequencyFactors(c);
                writer.AddTensor("rope_freqs.weight", [factors.Length], GgmlType.F32, () => FloatBytes(factors));
                break;
            default:
                throw new ModelLoadException($"{c.Source}: rope_scaling type '{ropeType}' has no llama.cpp equivalent here (supported: default, linear, llama3).", c.Source);
        }
        writer.Set(HfConfigKey, c.Raw.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        return new Layout(arch, c.NumAttentionHeads, c.NumKeyValueHeads);
    }

    /// <summary>
    /// llama3 RoPE as llama.cpp applies it: the base frequencies divided by one factor per frequency (1 for high
    /// frequencies, <c>factor</c> for low ones, a smooth blend in between), as the converter computes them.
    /// </summary>
    internal static float[] Llama3FrequencyFactors(ModelConfig c)
    {
        var s = c.RopeScaling!;
        var factor = s["factor"]!.GetValue<double>();
        var low = s["low_freq_factor"]!.GetValue<double>();
        var high = s["high_freq_factor"]!.GetValue<double>();
        var oldContext = s["original_max_position_embeddings"]!.GetValue<double>();
        var (lowWavelen, highWavelen) = (oldContext / low, oldContext / high);
        var result = new float[c.HeadDim / 2];
        for (var i = 0; i < result.Length; i++)
        {
            var freq = 1.0 / Math.Pow(c.RopeTheta, 2.0 * i / c.HeadDim);
            var wavelen = 2 * Math.PI / freq;
            if (wavelen < highWavelen) result[i] = 1;
            else if (wavelen > lowWavelen) result[i] = (float)factor;
            else
            {
                var smooth = (oldContext / wavelen - low) / (high - low);
                result[i] = (float)(1 / ((1 - smooth) / factor + smooth));
            }
        }
        return result;
    }

    static GgmlType MatrixType(GgufFileType fileType, long rowLength) => fileType switch
    {
        GgufFileType.F32 => GgmlType.F32,
        GgufFileType.F16 => GgmlType.F16,
        GgufFileType.BF16 => GgmlType.BF16,
        // As the converter: rows that do not split into blocks of 32 fall back to F16.
        GgufFileType.Q8_0 => rowLength % 32 == 0 ? GgmlType.Q8_0 : GgmlType.F16,
        _ => throw new ArgumentOutOfRangeException(nameof(fileType), fileType, null),
    };

    /// <summary>The tensor's bytes as <paramref name="type"/>, rows reordered first when <paramref name="permuteHeads"/> is set.</summary>
    internal static byte[] Encode(Tensor source, GgmlType type, int? permuteHeads)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var t = source.detach().to_type(ScalarType.Float32);
        if (permuteHeads is { } heads) t = RopePermutation.ToInterleaved(t, heads);
        t = t.contiguous();
        return type switch
        {
            GgmlType.F32 => t.bytes.ToArray(),
            GgmlType.F16 => t.to_type(ScalarType.Float16).contiguous().bytes.ToArray(),
            GgmlType.BF16 => t.to_type(ScalarType.BFloat16).contiguous().bytes.ToArray(),
            GgmlType.Q8_0 => GgmlQuantization.QuantizeQ8_0(t.data<float>().ToArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an export type"),
        };
    }

    static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }
}
