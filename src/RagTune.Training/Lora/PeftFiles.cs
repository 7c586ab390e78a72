using System.Text.Json;
using System.Text.Json.Nodes;
using RagTune.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training.Lora;

/// <summary>
/// The PEFT on-disk format: <c>adapter_config.json</c> with PEFT's LoraConfig fields and <c>adapter_model.safetensors</c>
/// keyed <c>base_model.model.&lt;module path&gt;.lora_A.weight</c> <c>[r, in]</c> / <c>lora_B.weight</c> <c>[out, r]</c>,
/// modules to save as <c>base_model.model.&lt;param name&gt;</c> (PEFT's <c>get_peft_model_state_dict</c> strips the
/// adapter name and the <c>modules_to_save</c> wrapper).
/// </summary>
public static class PeftFiles
{
    /// <summary>File names PEFT uses.</summary>
    public const string ConfigFile = "adapter_config.json", WeightsFile = "adapter_model.safetensors";
    const string Prefix = "base_model.model.";

    /// <summary>Writes both files into <paramref name="dir"/>.</summary>
    public static void Save(LoraModel lora, string dir)
    {
        Directory.CreateDirectory(dir);
        var c = lora.Config;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (path, a) in lora.Adapters)
        {
            tensors[$"{Prefix}{path}.lora_A.weight"] = a.A;
            tensors[$"{Prefix}{path}.lora_B.weight"] = a.B;
        }
        foreach (var (name, p) in lora.ModulesToSaveParameters()) tensors[Prefix + name] = p;
        TensorFile.Save(Path.Combine(dir, WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var json = new JsonObject
        {
            ["alpha_pattern"] = new JsonObject(),
            ["auto_mapping"] = null,
            ["base_model_name_or_path"] = c.BaseModelNameOrPath,
            ["bias"] = c.Bias,
            ["fan_in_fan_out"] = lora.Adapters.Keys.Any(lora.IsFanInFanOut) || c.FanInFanOut,
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["layers_pattern"] = null,
            ["layers_to_transform"] = null,
            ["lora_alpha"] = c.Alpha == Math.Floor(c.Alpha) ? JsonValue.Create((long)c.Alpha) : JsonValue.Create(c.Alpha),
            ["lora_dropout"] = c.Dropout,
            ["modules_to_save"] = c.ModulesToSave.Count == 0 ? null : new JsonArray(c.ModulesToSave.Select(m => (JsonNode)m!).ToArray()),
            ["peft_type"] = "LORA",
            ["r"] = c.R,
            ["rank_pattern"] = new JsonObject(),
            ["revision"] = null,
            ["target_modules"] = new JsonArray(c.TargetModules.Select(m => (JsonNode)m!).ToArray()),
            ["task_type"] = c.TaskType,
            ["use_dora"] = false,
            ["use_rslora"] = c.UseRsLora,
        };
        File.WriteAllText(Path.Combine(dir, ConfigFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads <c>adapter_config.json</c> into a <see cref="LoraConfig"/>.</summary>
    public static LoraConfig ReadConfig(string dir)
    {
        var path = Path.Combine(dir, ConfigFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} not found: not a PEFT adapter folder.", path);
        var j = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var type = j["peft_type"]?.GetValue<string>();
        if (type != "LORA") throw new InvalidDataException($"{path}: peft_type is \"{type}\"; only LORA adapters are supported.");
        if (j["use_dora"]?.GetValue<bool>() == true) throw new InvalidDataException($"{path}: DoRA adapters are not supported.");
        if (j["rank_pattern"] is JsonObject { Count: > 0 } || j["alpha_pattern"] is JsonObject { Count: > 0 })
            throw new InvalidDataException($"{path}: per-module rank_pattern/alpha_pattern is not supported.");
        var targets = j["target_modules"] switch
        {
            JsonArray a => a.Select(x => x!.GetValue<string>()).ToList(),
            JsonValue v => [v.GetValue<string>()],
            _ => new List<string>(),
        };
        return new LoraConfig
        {
            R = j["r"]!.GetValue<int>(),
            Alpha = j["lora_alpha"]?.GetValue<double>() ?? 8,
            Dropout = j["lora_dropout"]?.GetValue<double>() ?? 0,
            TargetModules = targets,
            UseRsLora = j["use_rslora"]?.GetValue<bool>() ?? false,
            FanInFanOut = j["fan_in_fan_out"]?.GetValue<bool>() ?? false,
            Bias = j["bias"]?.GetValue<string>() ?? "none",
            TaskType = j["task_type"]?.GetValue<string>() ?? "CAUSAL_LM",
            BaseModelNameOrPath = j["base_model_name_or_path"]?.GetValue<string>(),
            ModulesToSave = j["modules_to_save"] is JsonArray m ? m.Select(x => x!.GetValue<string>()).ToList() : [],
        };
    }

    /// <summary>Attaches the adapter in <paramref name="dir"/> to <paramref name="model"/> and loads its weights.</summary>
    public static LoraModel Load(nn.Module model, string dir)
    {
        var config = ReadConfig(dir);
        var tensors = TensorFile.Load(Path.Combine(dir, WeightsFile));
        // Normalise keys PEFT versions wrote differently: adapter name ".default" and the modules_to_save wrapper.
        var normalised = tensors.ToDictionary(
            kv => (kv.Key.StartsWith(Prefix, StringComparison.Ordinal) ? kv.Key[Prefix.Length..] : kv.Key)
                .Replace(".modules_to_save.", ".").Replace(".default.", "."),
            kv => kv.Value, StringComparer.Ordinal);
        var paths = normalised.Keys.Where(k => k.EndsWith(".lora_A.weight", StringComparison.Ordinal))
            .Select(k => k[..^".lora_A.weight".Length]).ToList();
        if (paths.Count == 0) throw new InvalidDataException($"{dir}/{WeightsFile}: no lora_A weights found.");
        var lora = LoraModel.AttachPaths(model, config, paths);
        using var _ = no_grad();
        foreach (var (path, a) in lora.Adapters)
        {
            CopyChecked(a.A, normalised, $"{path}.lora_A.weight", dir);
            CopyChecked(a.B, normalised, $"{path}.lora_B.weight", dir);
        }
        foreach (var (name, p) in lora.ModulesToSaveParameters())
            CopyChecked(p, normalised, name, dir);
        foreach (var t in tensors.Values) t.Dispose();
        return lora;
    }

    static void CopyChecked(Tensor target, Dictionary<string, Tensor> source, string key, string dir)
    {
        if (!source.TryGetValue(key, out var t)) throw new InvalidDataException($"{dir}/{WeightsFile}: missing tensor '{Prefix}{key}'.");
        if (!t.shape.SequenceEqual(target.shape))
            throw new InvalidDataException($"{dir}/{WeightsFile}: '{Prefix}{key}' has shape [{string.Join(",", t.shape)}], the model needs [{string.Join(",", target.shape)}].");
        target.copy_(t);
    }
}
