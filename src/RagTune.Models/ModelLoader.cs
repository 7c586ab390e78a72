using System.Text;
using RagTune.Models.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>
/// Loads a Hugging Face checkpoint folder (<c>config.json</c> + <c>model.safetensors</c> or shards) into the matching
/// architecture, in eval mode. Fails loudly: missing keys, unexpected keys and shape mismatches are all listed with the
/// file and tensor names. Gradients are left to the caller (wrap inference in <c>torch.no_grad()</c>).
/// </summary>
public static class ModelLoader
{
    /// <summary>Loads the model of <paramref name="dir"/> (a checkpoint folder, or a GGUF file: see <see cref="Gguf.GgufModelLoader"/>).</summary>
    /// <exception cref="ModelLoadException">The config, the weights or their match are invalid.</exception>
    public static PretrainedModel Load(string dir, ModelLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dir);
        options ??= new ModelLoadOptions();
        if (Gguf.GgufModelLoader.IsGgufFile(dir)) return Gguf.GgufModelLoader.Load(dir, options);
        if (!Directory.Exists(dir)) throw new ModelLoadException($"{dir}: model folder not found.", dir);
        var config = ModelConfig.FromFolder(dir);
        using var checkpoint = SafeTensorsCheckpoint.Open(dir);
        var model = ModelArchitectures.Create(config, options.Architecture, options.DType);
        try
        {
            LoadWeights(model, checkpoint);
            Kernels.ReducedPrecision.Apply(model, options.Weights);
            if (model is Architectures.Llama.LlamaForCausalLM llama) llama.UseDecodeKernel = options.DecodeKernel;
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Loads a decoder (Llama family, GPT-2).</summary>
    public static ICausalLanguageModel LoadCausalLanguageModel(string dir, ModelLoadOptions? options = null) =>
        As<ICausalLanguageModel>(Load(dir, options), "a causal language model");

    /// <summary>Loads an encoder (BERT).</summary>
    public static IEncoderModel LoadEncoder(string dir, ModelLoadOptions? options = null) =>
        As<IEncoderModel>(Load(dir, options), "an encoder");

    /// <summary>Loads a sequence classifier.</summary>
    public static ISequenceClassifier LoadSequenceClassifier(string dir, ModelLoadOptions? options = null) =>
        As<ISequenceClassifier>(Load(dir, options), "a sequence classifier");

    static T As<T>(PretrainedModel model, string what) where T : class
    {
        if (model is T t) return t;
        var arch = model.Architecture;
        model.Dispose();
        throw new ModelLoadException($"{arch} is not {what}.");
    }

    /// <summary>
    /// Copies the checkpoint's tensors into <paramref name="model"/>'s parameters (converting dtype), after checking that
    /// the key sets and shapes match exactly (tied keys excepted).
    /// </summary>
    public static void LoadWeights(PretrainedModel model, SafeTensorsCheckpoint checkpoint)
    {
        var state = model.state_dict();
        var plan = new List<(string CheckpointKey, Tensor Target)>();
        var assigned = new Dictionary<string, string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var mismatched = new List<string>();
        foreach (var key in checkpoint.Keys.Order(StringComparer.Ordinal))
        {
            var mapped = model.MapCheckpointKey(key);
            if (mapped is null || model.TiedKeys.Contains(mapped)) continue;
            var info = checkpoint.Info(key);
            var file = Path.GetFileName(checkpoint.FileOf(key).FilePath);
            if (!state.TryGetValue(mapped, out var target))
            {
                unexpected.Add($"{key} ({file})");
                continue;
            }
            if (!assigned.TryAdd(mapped, key))
            {
                mismatched.Add($"{key} ({file}): maps to '{mapped}', already given by '{assigned[mapped]}'");
                continue;
            }
            if (!info.Shape.SequenceEqual(target.shape))
                mismatched.Add($"{key} ({file}): checkpoint [{string.Join(",", info.Shape)}], model [{string.Join(",", target.shape)}]");
            else if (info.ScalarType is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float64))
                mismatched.Add($"{key} ({file}): dtype {info.DType} is not a floating-point weight type");
            else
                plan.Add((key, target));
        }
        var missing = state.Keys.Where(k => !model.TiedKeys.Contains(k) && !assigned.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            var files = string.Join(", ", checkpoint.Files.Select(f => f.FilePath));
            var sb = new StringBuilder($"Weights in {files} do not match {model.Architecture} built from {model.Config.Source ?? "config.json"}.");
            Append(sb, "missing keys", missing);
            Append(sb, "unexpected keys", unexpected);
            Append(sb, "shape/dtype mismatches", mismatched);
            sb.Append("\nHINT: check that config.json belongs to these weights, or pick the architecture with ModelLoadOptions.Architecture.");
            throw new ModelLoadException(sb.ToString(), checkpoint.Files[0].FilePath, missing.Concat(unexpected).Concat(mismatched).FirstOrDefault());
        }
        using var _ = no_grad();
        foreach (var (key, target) in plan) checkpoint.CopyInto(key, target);
    }

    static void Append(StringBuilder sb, string title, List<string> items)
    {
        if (items.Count == 0) return;
        sb.Append($"\n{title} ({items.Count}): ").Append(string.Join(", ", items.Take(30)));
        if (items.Count > 30) sb.Append($", … and {items.Count - 30} more");
    }
}
