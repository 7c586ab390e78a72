using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace RagTune.Models.Gguf;

/// <summary>
/// Loads a Llama-family GGUF file (ours or llama.cpp's, architectures <c>llama</c> and <c>qwen2</c>) as the Hugging Face
/// model it came from: the config is the embedded <c>ragtune.hf_config</c> when present, else rebuilt from the
/// <c>llama.*</c>/<c>qwen2.*</c> keys; tensors are dequantized to float32 (F16, BF16, Q8_0, Q4_0/1, Q5_0/1, Q4_K, Q5_K,
/// Q6_K), the q/k row order llama.cpp needs is undone, and <see cref="ModelLoadOptions.Weights"/> applies as for a
/// folder. A Q8_0 file loaded with int8 weights gives exactly the file's blocks (re-quantizing a dequantized Q8_0 block
/// is exact), so the int8 decode kernel runs the same weights llama.cpp does.
/// </summary>
public static class GgufModelLoader
{
    /// <summary>Whether <paramref name="path"/> is an existing file that starts with the GGUF magic.</summary>
    public static bool IsGgufFile(string? path)
    {
        if (string.IsNullOrEmpty(path) || !File.Exists(path)) return false;
        try
        {
            using var f = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return f.Read(magic) == 4 && magic.SequenceEqual("GGUF"u8);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Loads the model in <paramref name="path"/>.</summary>
    /// <exception cref="ModelLoadException">Malformed file, unsupported architecture, or tensors that do not fit.</exception>
    public static PretrainedModel Load(string path, ModelLoadOptions? options = null)
    {
        options ??= new ModelLoadOptions();
        using var file = GgufFile.Open(path);
        var config = ReadConfig(file);
        var model = ModelArchitectures.Create(config, options.Architecture, options.DType);
        try
        {
            LoadWeights(model, file);
            Kernels.ReducedPrecision.Apply(model, options.Weights);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The Hugging Face config of the model in <paramref name="file"/>.</summary>
    public static ModelConfig ReadConfig(GgufFile file)
    {
        if (file.Get<string>(GgufExporter.HfConfigKey) is { } embedded) return ModelConfig.Parse(embedded, file.FilePath);
        var arch = file.Get<string>("general.architecture")
            ?? throw new ModelLoadException($"{file.FilePath}: general.architecture is missing.", file.FilePath);
        if (arch is not ("llama" or "qwen2"))
            throw new ModelLoadException($"{file.FilePath}: architecture '{arch}' is not supported (supported: llama, qwen2 — Llama 2/3, Mistral, SmolLM2, Qwen2).", file.FilePath);
        long Int(string key) => file.RequireInteger($"{arch}.{key}");
        var heads = Int("attention.head_count");
        var hidden = Int("embedding_length");
        var embed = file.Tensor("token_embd.weight");
        var c = new JsonObject
        {
            ["model_type"] = arch,
            ["architectures"] = new JsonArray(arch == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"),
            ["vocab_size"] = file.GetInteger($"{arch}.vocab_size") ?? embed.Dimensions[1],
            ["hidden_size"] = hidden,
            ["num_hidden_layers"] = Int("block_count"),
            ["num_attention_heads"] = heads,
            ["num_key_value_heads"] = file.GetInteger($"{arch}.attention.head_count_kv") ?? heads,
            ["head_dim"] = file.GetInteger($"{arch}.attention.key_length") ?? file.GetInteger($"{arch}.rope.dimension_count") ?? hidden / heads,
            ["intermediate_size"] = Int("feed_forward_length"),
            ["max_position_embeddings"] = file.GetInteger($"{arch}.context_length") ?? 2048,
            ["rms_norm_eps"] = file.GetNumber($"{arch}.attention.layer_norm_rms_epsilon") is { } eps ? (double)(float)eps : 1e-5,
            ["rope_theta"] = file.GetNumber($"{arch}.rope.freq_base") ?? 10000.0,
            ["hidden_act"] = "silu",
            ["tie_word_embeddings"] = file.Find("output.weight") is null,
        };
        if (file.GetInteger("tokenizer.ggml.bos_token_id") is { } bos) c["bos_token_id"] = bos;
        if (file.GetInteger("tokenizer.ggml.eos_token_id") is { } eos) c["eos_token_id"] = eos;
        if (file.Find("rope_freqs.weight") is { } freqs)
            c["rope_scaling"] = new JsonObject { ["rope_type"] = "frequency_factors", ["factors"] = new JsonArray(file.ReadFloats(freqs).Select(f => (JsonNode)f).ToArray()) };
        else if (file.Get<string>($"{arch}.rope.scaling.type") is "linear" && file.GetNumber($"{arch}.rope.scaling.factor") is { } factor)
            c["rope_scaling"] = new JsonObject { ["rope_type"] = "linear", ["factor"] = factor };
        else if (file.Get<string>($"{arch}.rope.scaling.type") is { } other and not "none")
            throw new ModelLoadException($"{file.FilePath}: RoPE scaling '{other}' is not supported (supported: none, linear, llama3 factors).", file.FilePath);
        return ModelConfig.Parse(c.ToJsonString(), file.FilePath);
    }

    /// <summary>Fills <paramref name="model"/>'s parameters from <paramref name="file"/>, checking names and shapes.</summary>
    public static void LoadWeights(PretrainedModel model, GgufFile file)
    {
        var arch = model.Config.ModelType == "qwen2" ? "qwen2" : "llama";
        var state = model.state_dict();
        var missing = new List<string>();
        var mismatched = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal) { "rope_freqs.weight" };
        var plan = new List<(string Key, GgufTensorInfo Info, Tensor Target)>();
        foreach (var (key, target) in state)
        {
            if (model.TiedKeys.Contains(key)) continue;
            var name = LlamaGgufNames.ToGguf(key);
            if (name is null || file.Find(name) is not { } info)
            {
                missing.Add(name is null ? key : $"{name} ({key})");
                continue;
            }
            used.Add(name);
            if (!info.Shape.SequenceEqual(target.shape))
                mismatched.Add($"{name}: file [{string.Join(",", info.Shape)}] ({info.Type}), model [{string.Join(",", target.shape)}]");
            else plan.Add((key, info, target));
        }
        var unexpected = file.Tensors.Where(t => !used.Contains(t.Name)).Select(t => t.Name).ToList();
        if (missing.Count + mismatched.Count + unexpected.Count > 0)
        {
            var sb = new StringBuilder($"{file.FilePath}: tensors do not match {model.Architecture} built from its metadata.");
            Append(sb, "missing tensors", missing);
            Append(sb, "unexpected tensors", unexpected);
            Append(sb, "shape mismatches", mismatched);
            throw new ModelLoadException(sb.ToString(), file.FilePath, missing.Concat(unexpected).Concat(mismatched).First());
        }
        using var _ = no_grad();
        foreach (var (key, info, target) in plan)
        {
            using var scope = NewDisposeScope();
            float[] values;
            try
            {
                values = file.ReadFloats(info);
            }
            catch (ArgumentException e)
            {
                throw new ModelLoadException($"{file.FilePath}: tensor '{info.Name}' cannot be decoded ({e.Message}).", file.FilePath, info.Name, e);
            }
            var t = tensor(values, info.Shape, ScalarType.Float32);
            if (arch == "llama" && LlamaGgufNames.IsQuery(key)) t = RopePermutation.FromInterleaved(t, model.Config.NumAttentionHeads);
            else if (arch == "llama" && LlamaGgufNames.IsKey(key)) t = RopePermutation.FromInterleaved(t, model.Config.NumKeyValueHeads);
            target.copy_(t);
        }
    }

    static void Append(StringBuilder sb, string title, List<string> items)
    {
        if (items.Count == 0) return;
        sb.Append(CultureInfo.InvariantCulture, $"\n{title} ({items.Count}): ").Append(string.Join(", ", items.Take(30)));
        if (items.Count > 30) sb.Append(CultureInfo.InvariantCulture, $", … and {items.Count - 30} more");
    }
}
