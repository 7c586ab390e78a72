using System.Text.Json;
using System.Text.Json.Nodes;
using RagTune.Models;

namespace RagTune.Training.Lora;

/// <summary>
/// A folder holding only a PEFT adapter (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>, no
/// <c>config.json</c>), as <c>ragtune finetune --method lora</c> writes without <c>--merge</c>: loads the base model named
/// by <c>base_model_name_or_path</c> (absolute, or relative to the adapter folder) and applies the adapter, including a
/// <c>modules_to_save</c> classification head, on the fly.
/// </summary>
public static class AdapterFolder
{
    /// <summary>Labels of a classification adapter (PEFT's config has no field for them).</summary>
    public const string LabelsFile = "labels.json";

    /// <summary>True when <paramref name="dir"/> has an adapter and no model of its own.</summary>
    public static bool IsAdapterOnly(string dir) =>
        File.Exists(Path.Combine(dir, PeftFiles.ConfigFile)) && !File.Exists(Path.Combine(dir, "config.json"));

    /// <summary>The base model folder of the adapter in <paramref name="dir"/>.</summary>
    /// <exception cref="ModelLoadException">The config names no base, or a folder that does not exist here.</exception>
    public static string BaseModelDir(string dir)
    {
        var name = PeftFiles.ReadConfig(dir).BaseModelNameOrPath;
        if (string.IsNullOrWhiteSpace(name))
            throw new ModelLoadException($"{dir}/{PeftFiles.ConfigFile}: base_model_name_or_path is empty. HINT: set it to the base model folder.", dir);
        var resolved = Path.IsPathRooted(name) ? name : Path.GetFullPath(Path.Combine(dir, name));
        if (!File.Exists(Path.Combine(resolved, "config.json")))
            throw new ModelLoadException($"{dir}/{PeftFiles.ConfigFile}: base_model_name_or_path \"{name}\" is not a model folder here " +
                                         $"(looked in {resolved}). HINT: nothing is downloaded; edit it to the local base model folder.", dir);
        return resolved;
    }

    /// <summary>Writes the label names (index = class id) next to the adapter.</summary>
    public static void WriteLabels(string dir, IReadOnlyList<string> classNames)
    {
        var id2label = new JsonObject();
        var label2id = new JsonObject();
        for (var i = 0; i < classNames.Count; i++) { id2label[i.ToString()] = classNames[i]; label2id[classNames[i]] = i; }
        File.WriteAllText(Path.Combine(dir, LabelsFile),
            new JsonObject { ["id2label"] = id2label, ["label2id"] = label2id }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads the label names written by <see cref="WriteLabels"/>.</summary>
    public static IReadOnlyList<string> ReadLabels(string dir)
    {
        var path = Path.Combine(dir, LabelsFile);
        if (!File.Exists(path))
            throw new ModelLoadException($"{dir}: a classification adapter needs its labels in {LabelsFile} ({{\"id2label\": {{\"0\": …}}}}). " +
                                         "HINT: re-run ragtune finetune --task classify, or add the file.", dir);
        var id2label = JsonNode.Parse(File.ReadAllText(path))?["id2label"]?.AsObject()
            ?? throw new ModelLoadException($"{path}: no \"id2label\" object.", dir);
        return id2label.OrderBy(kv => int.Parse(kv.Key)).Select(kv => kv.Value!.GetValue<string>()).ToList();
    }

    /// <summary>The base model with the adapter applied (a causal LM for CAUSAL_LM adapters, a classifier for SEQ_CLS).</summary>
    public static PretrainedModel Load(string dir)
    {
        var baseDir = BaseModelDir(dir);
        var config = PeftFiles.ReadConfig(dir);
        var model = config.TaskType == "SEQ_CLS"
            ? FineTuneRecipe.CreateClassifier(baseDir, ReadLabels(dir), seed: 0)
            : ModelLoader.Load(baseDir);
        try
        {
            PeftFiles.Load(model.Module, dir);
            model.Module.eval();
            return model;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            model.Dispose();
            throw new ModelLoadException($"{dir}: {e.Message}", dir);
        }
    }

    /// <summary>Loads <paramref name="dir"/> as a plain folder, or as base + adapter when it holds only an adapter.</summary>
    public static PretrainedModel LoadModelOrAdapter(string dir) => IsAdapterOnly(dir) ? Load(dir) : ModelLoader.Load(dir);

    /// <summary><see cref="LoadModelOrAdapter"/> as a decoder.</summary>
    public static ICausalLanguageModel LoadCausalLanguageModel(string dir) => As<ICausalLanguageModel>(LoadModelOrAdapter(dir), "a causal language model");

    /// <summary><see cref="LoadModelOrAdapter"/> as a sequence classifier.</summary>
    public static ISequenceClassifier LoadSequenceClassifier(string dir) => As<ISequenceClassifier>(LoadModelOrAdapter(dir), "a sequence classifier");

    static T As<T>(PretrainedModel model, string what) where T : class
    {
        if (model is T t) return t;
        var arch = model.Architecture;
        model.Dispose();
        throw new ModelLoadException($"{arch} is not {what}.");
    }
}
