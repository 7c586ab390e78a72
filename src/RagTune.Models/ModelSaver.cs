using System.Text.Json.Nodes;
using RagTune.Models.SafeTensors;
using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>
/// Writes a model as <c>save_pretrained</c> does: <c>config.json</c> and <c>model.safetensors</c> with exactly the
/// Hugging Face keys — tied weights (e.g. <c>lm_head.weight</c>) and adapter parameters are left out.
/// </summary>
public static class ModelSaver
{
    /// <summary>Saves <paramref name="model"/> into <paramref name="dir"/> (created if needed).</summary>
    public static void Save(IPretrainedModel model, string dir)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dir);
        if (model.Module.modules().OfType<Nn.Linear>().Any(l => l.weight_scale is not null))
            throw new InvalidOperationException("The model's projections are quantized to int8 for inference; Hugging Face checkpoints have no such tensors. Save the original (unquantized) model instead.");
        Directory.CreateDirectory(dir);
        var config = model.Config.Clone();
        config.Raw["architectures"] = new JsonArray(model.Architecture);
        config.Raw["torch_dtype"] = DTypeName(model.DType);
        config.Save(Path.Combine(dir, "config.json"));
        SafeTensorsWriter.Save(Path.Combine(dir, SafeTensorsCheckpoint.SingleFileName), StateDict(model));
    }

    /// <summary>The tensors <see cref="Save"/> writes, by HF key (the model's own tensors, not copies).</summary>
    public static Dictionary<string, Tensor> StateDict(IPretrainedModel model)
    {
        var adapterPrefixes = model.Module.named_modules()
            .Where(m => m.Item2 is Nn.Linear { Adapter: not null })
            .Select(m => (m.Item1.Length == 0 ? "" : m.Item1 + ".") + Nn.Linear.AdapterName + ".")
            .ToList();
        return model.Module.state_dict()
            .Where(kv => !model.TiedKeys.Contains(kv.Key) && !adapterPrefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal)))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Float64 => "float64",
        _ => "float32",
    };
}
