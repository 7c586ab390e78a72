using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace RagTune.Training.Lora;

/// <summary>
/// A base model with <see cref="LoraAdapter"/>s attached to the <c>Adapter</c> slot of its linear layers
/// (<c>RagTune.Models.Nn.Linear</c>, or any module with a settable <c>Adapter</c> property and a <c>weight</c>).
/// The base is frozen; adapters and <see cref="LoraConfig.ModulesToSave"/> train. Saves/loads PEFT files and merges.
/// </summary>
public sealed class LoraModel
{
    static readonly string[] OutputHeads = ["lm_head", "score", "classifier"];

    /// <summary>The wrapped model (its modules now carry adapters).</summary>
    public nn.Module Model { get; }
    /// <summary>The configuration, with <see cref="LoraConfig.TargetModules"/> resolved to module names.</summary>
    public LoraConfig Config { get; private set; }
    /// <summary>Adapters by the dotted path of the layer they adapt (HF module path).</summary>
    public IReadOnlyDictionary<string, LoraAdapter> Adapters => _adapters;

    readonly Dictionary<string, LoraAdapter> _adapters = new(StringComparer.Ordinal);
    readonly Dictionary<string, (nn.Module Host, PropertyInfo Slot, bool FanInFanOut)> _hosts = new(StringComparer.Ordinal);

    LoraModel(nn.Module model, LoraConfig config) => (Model, Config) = (model, config);

    /// <summary>
    /// Attaches adapters to the modules <paramref name="config"/> targets and freezes the rest; <c>lora_A</c> is drawn
    /// from a generator of its own seeded with <paramref name="seed"/> (not reproducible when null).
    /// </summary>
    public static LoraModel Attach(nn.Module model, LoraConfig config, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (config.Bias != "none") throw new NotSupportedException($"LoRA bias \"{config.Bias}\" is not supported; expected \"none\".");
        var all = config.TargetModules.Count == 1 && config.TargetModules[0] == LoraConfig.AllLinear;
        var candidates = AdaptableModules(model).ToList();
        var chosen = candidates.Where(c => all
                ? !OutputHeads.Contains(c.Path.Split('.')[^1]) && !config.ModulesToSave.Any(m => Matches(c.Path, m))
                : config.TargetModules.Any(t => Matches(c.Path, t)))
            .Select(c => c.Path).ToList();
        if (chosen.Count == 0)
            throw new ArgumentException($"no linear module matches --target {string.Join(",", config.TargetModules)}. " +
                                        $"HINT: linear modules are named like {string.Join(", ", candidates.Select(c => c.Path.Split('.')[^1]).Distinct().Take(12))}.");
        var resolved = config with { TargetModules = chosen.Select(p => p.Split('.')[^1]).Distinct().Order(StringComparer.Ordinal).ToList() };
        var lora = new LoraModel(model, resolved);
        using var init = new Generator((ulong)(seed ?? Random.Shared.Next()), torch.CPU);
        foreach (var path in chosen) lora.AddAdapter(path, init);
        lora.Freeze();
        return lora;
    }

    /// <summary>Attaches adapters for exactly the given layer paths (used when loading PEFT files).</summary>
    internal static LoraModel AttachPaths(nn.Module model, LoraConfig config, IEnumerable<string> paths)
    {
        var lora = new LoraModel(model, config);
        var known = AdaptableModules(model).Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (!known.Contains(path)) throw new InvalidDataException($"the adapter targets '{path}', which is not a linear layer of this model.");
            lora.AddAdapter(path);
        }
        lora.Freeze();
        return lora;
    }

    /// <summary>Parameters that train: adapters plus modules to save, with their model paths.</summary>
    public IEnumerable<(string Name, Parameter Param)> TrainableParameters()
    {
        foreach (var (path, a) in _adapters)
        {
            yield return ($"{path}.lora_A.weight", a.A);
            yield return ($"{path}.lora_B.weight", a.B);
        }
        foreach (var (name, p) in ModulesToSaveParameters()) yield return (name, p);
    }

    /// <summary>Parameters of <see cref="LoraConfig.ModulesToSave"/> modules, by full name.</summary>
    public IEnumerable<(string Name, Parameter Param)> ModulesToSaveParameters() =>
        Model.named_parameters()
            .Where(p => Config.ModulesToSave.Any(m => Matches(p.name[..Math.Max(0, p.name.LastIndexOf('.'))], m)))
            .Select(p => (p.name, p.parameter));

    /// <summary>(trainable, total) parameter counts; total counts base and adapter parameters once each.</summary>
    public (long Trainable, long Total) ParameterCounts()
    {
        var trainable = TrainableParameters().Sum(p => p.Param.numel());
        var baseCount = Model.named_parameters().Where(p => !p.name.Contains(".lora_")).Sum(p => p.parameter.numel());
        var adapters = _adapters.Values.Sum(a => a.A.numel() + a.B.numel());
        return (trainable, baseCount + adapters);
    }

    /// <summary>Adds every ΔW into its base weight and detaches the adapters: the model is a plain HF model again.</summary>
    public void Merge()
    {
        using var _ = no_grad();
        foreach (var (path, a) in _adapters)
        {
            var (host, slot, fanInFanOut) = _hosts[path];
            var w = Weight(host);
            using var delta = a.DeltaWeight().to(w.dtype);
            w.add_(fanInFanOut ? delta.t() : delta);
            slot.SetValue(host, null);
        }
        _adapters.Clear();
        _hosts.Clear();
    }

    /// <summary>Writes <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> (PEFT layout) into <paramref name="dir"/>.</summary>
    public void SavePeft(string dir) => PeftFiles.Save(this, dir);

    /// <summary>Loads a PEFT LoRA folder (ours or PEFT's) onto <paramref name="model"/>.</summary>
    public static LoraModel LoadPeft(nn.Module model, string dir) => PeftFiles.Load(model, dir);

    /// <summary>True when module path <paramref name="path"/> is <paramref name="target"/> or ends with "." + target (PEFT's rule).</summary>
    public static bool Matches(string path, string target) =>
        path == target || path.EndsWith("." + target, StringComparison.Ordinal);

    internal bool IsFanInFanOut(string path) => _hosts[path].FanInFanOut;

    void AddAdapter(string path, Generator? init = null)
    {
        var host = FindModule(Model, path);
        var slot = AdapterSlot(host)!;
        var w = Weight(host);
        var fanInFanOut = Config.FanInFanOut || IsTransposed(host);
        var (inF, outF) = fanInFanOut ? (w.shape[0], w.shape[1]) : (w.shape[1], w.shape[0]);
        var adapter = new LoraAdapter(inF, outF, Config.R, Config.Scaling, Config.Dropout, w.dtype, init);
        // New modules start in training mode; follow the host so an eval-mode model gets no adapter dropout.
        adapter.train(host.training);
        slot.SetValue(host, adapter);
        _adapters[path] = adapter;
        _hosts[path] = (host, slot, fanInFanOut);
    }

    void Freeze()
    {
        foreach (var (_, p) in Model.named_parameters()) p.requires_grad = false;
        foreach (var (_, p) in TrainableParameters()) p.requires_grad = true;
    }

    static IEnumerable<(string Path, nn.Module Module)> AdaptableModules(nn.Module model) =>
        model.named_modules().Where(m => m.name.Length > 0 && m.module is not LoraAdapter && AdapterSlot(m.module) is not null
                                         && m.module.named_parameters(recurse: false).Any(p => p.name == "weight"))
            .Select(m => (m.name, m.module));

    static PropertyInfo? AdapterSlot(nn.Module m)
    {
        var p = m.GetType().GetProperty("Adapter", BindingFlags.Public | BindingFlags.Instance);
        return p is { CanWrite: true } && p.PropertyType.IsAssignableFrom(typeof(LoraAdapter)) ? p : null;
    }

    /// <summary>GPT-2's Conv1D stores <c>[in, out]</c>; the engine's Linear says so through a boolean property.</summary>
    static bool IsTransposed(nn.Module m)
    {
        foreach (var name in new[] { "FanInFanOut", "IsConv1D", "WeightIsInOut", "Transposed" })
            if (m.GetType().GetProperty(name)?.GetValue(m) is bool b) return b;
        return m.GetType().Name.Contains("Conv1D", StringComparison.Ordinal);
    }

    static Parameter Weight(nn.Module m) => m.named_parameters(recurse: false).First(p => p.name == "weight").parameter;

    static nn.Module FindModule(nn.Module model, string path) =>
        model.named_modules().FirstOrDefault(m => m.name == path).module ?? throw new KeyNotFoundException($"module '{path}' not found.");
}
