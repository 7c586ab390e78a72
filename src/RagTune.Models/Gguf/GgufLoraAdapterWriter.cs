using RagTune.Models.Architectures.Llama;
using static TorchSharp.torch;

namespace RagTune.Models.Gguf;

/// <summary>
/// Writes LoRA adapters as a GGUF adapter file llama.cpp applies on top of the base model's GGUF
/// (<c>general.type = adapter</c>, <c>adapter.type = lora</c>, <c>adapter.lora.alpha</c>): per adapted projection the
/// tensors <c>&lt;name&gt;.weight.lora_a</c> (A, [r, in]) and <c>.lora_b</c> (B, [out, r]), B's rows reordered for q/k
/// like the base weight. llama.cpp scales by alpha / r, so alpha is written as scaling · r (rsLoRA included).
/// </summary>
public static class GgufLoraAdapterWriter
{
    /// <summary>One adapted projection: its module path (e.g. <c>model.layers.0.self_attn.q_proj</c>) and its matrices.</summary>
    public sealed record Adapter(string ModulePath, Tensor A, Tensor B, double Scaling);

    /// <summary>Writes <paramref name="adapters"/> of <paramref name="baseModel"/> to <paramref name="path"/>.</summary>
    public static void Write(PretrainedModel baseModel, IReadOnlyList<Adapter> adapters, string path)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        if (adapters.Count == 0) throw new ArgumentException("no adapters to write.", nameof(adapters));
        if (baseModel is not LlamaForCausalLM)
            throw new ModelLoadException($"GGUF LoRA adapters are written for the Llama family; the base is {baseModel.Architecture}.");
        var scalings = adapters.Select(a => a.Scaling).Distinct().ToList();
        var ranks = adapters.Select(a => a.A.shape[0]).Distinct().ToList();
        if (scalings.Count != 1 || ranks.Count != 1)
            throw new ModelLoadException("a GGUF adapter has one alpha for all layers; these adapters have different ranks or scalings.");
        var c = baseModel.Config;
        var writer = new GgufWriter();
        var layout = GgufExporter.Describe(baseModel, new GgufWriter(), "adapter", GgufFileType.F32);
        writer.Set("general.architecture", layout.Arch);
        writer.Set("general.type", "adapter");
        writer.Set("adapter.type", "lora");
        writer.Set("adapter.lora.alpha", (float)(scalings[0] * ranks[0]));
        foreach (var a in adapters)
        {
            var weightKey = a.ModulePath + ".weight";
            var name = LlamaGgufNames.ToGguf(weightKey)
                ?? throw new ModelLoadException($"the adapter of '{a.ModulePath}' has no llama.cpp tensor to apply to.", null, a.ModulePath);
            var (aTensor, bTensor) = (a.A, a.B);
            writer.AddTensor(name + ".lora_a", aTensor.shape, GgmlType.F32, () => GgufExporter.Encode(aTensor, GgmlType.F32, null));
            writer.AddTensor(name + ".lora_b", bTensor.shape, GgmlType.F32, () => GgufExporter.Encode(bTensor, GgmlType.F32, layout.Permutation(weightKey)));
        }
        writer.Write(path);
    }
}
