using RagTune.Models;
using RagTune.Models.Gguf;

namespace RagTune.Training.Lora;

/// <summary>
/// GGUF export of fine-tuned models: a model folder, optionally with a PEFT LoRA adapter merged into its weights on the
/// way out, or the adapter alone as a GGUF LoRA file that llama.cpp applies to the base model's GGUF.
/// </summary>
public static class LoraGgufExport
{
    /// <summary>
    /// Exports <paramref name="modelDir"/> (a checkpoint folder, or an adapter-only folder whose base it names) with
    /// <paramref name="adapterDir"/>'s LoRA merged when given.
    /// </summary>
    public static void ExportMerged(string modelDir, string? adapterDir, string path, GgufExportOptions? options = null)
    {
        var (baseDir, adapter) = Resolve(modelDir, adapterDir);
        using var model = ModelLoader.Load(baseDir);
        if (adapter is not null)
        {
            var lora = Attach(model, adapter);
            lora.Merge();
        }
        GgufExporter.Export(model, baseDir, path, options ?? new GgufExportOptions { Name = Path.GetFileName(Path.GetFullPath(modelDir).TrimEnd('/')) });
    }

    /// <summary>Writes the LoRA adapter of <paramref name="adapterDir"/> (for the base model <paramref name="modelDir"/>) as a GGUF adapter.</summary>
    public static void ExportAdapter(string modelDir, string? adapterDir, string path)
    {
        var (baseDir, adapter) = Resolve(modelDir, adapterDir);
        if (adapter is null)
            throw new ModelLoadException($"{modelDir}: --adapter-only needs a LoRA adapter (--adapter <peft dir>, or an adapter-only folder as --model).", modelDir);
        using var model = ModelLoader.Load(baseDir);
        var lora = Attach(model, adapter);
        var adapters = lora.Adapters.Select(kv => new GgufLoraAdapterWriter.Adapter(kv.Key, kv.Value.A, kv.Value.B, kv.Value.Scaling)).ToList();
        GgufLoraAdapterWriter.Write(model, adapters, path);
    }

    static (string BaseDir, string? AdapterDir) Resolve(string modelDir, string? adapterDir) =>
        AdapterFolder.IsAdapterOnly(modelDir) && adapterDir is null
            ? (AdapterFolder.BaseModelDir(modelDir), modelDir)
            : (modelDir, adapterDir);

    static LoraModel Attach(PretrainedModel model, string adapterDir)
    {
        try
        {
            return PeftFiles.Load(model.Module, adapterDir);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            throw new ModelLoadException($"{adapterDir}: {e.Message}", adapterDir, inner: e);
        }
    }
}
