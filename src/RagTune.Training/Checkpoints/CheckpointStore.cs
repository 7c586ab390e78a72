using System.Text.Json;
using static TorchSharp.torch;

namespace RagTune.Training.Checkpoints;

/// <summary>
/// Checkpoints under <c>&lt;out&gt;/checkpoints/step-NNNNNNN</c> and <c>best</c>. Each is written to a temporary
/// folder and renamed into place, so a kill at any moment leaves the previous checkpoint complete: a folder without
/// its final name is never read. Holds trainable weights, optimizer moments, the state of the run's dropout generator and <see cref="TrainerState"/>.
/// </summary>
public sealed class CheckpointStore(string outputDir)
{
    const string WeightsFile = "trainable.safetensors", OptimizerFile = "optimizer.safetensors", StateFile = "trainer_state.json";
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The checkpoints folder.</summary>
    public string Root { get; } = Path.Combine(outputDir, "checkpoints");

    /// <summary>Folder of the best checkpoint (may not exist).</summary>
    public string BestDir => Path.Combine(Root, "best");

    /// <summary>Writes a step checkpoint atomically and prunes all but the newest <paramref name="keep"/>.</summary>
    public string Save(TrainerState state, IReadOnlyDictionary<string, Tensor> weights, IReadOnlyDictionary<string, Tensor> optimizer,
                       Tensor rngState, int keep)
    {
        var final = Path.Combine(Root, $"step-{state.Step:D7}");
        WriteAtomically(final, dir =>
        {
            TensorFile.Save(Path.Combine(dir, WeightsFile), weights);
            var opt = new Dictionary<string, Tensor>(optimizer, StringComparer.Ordinal) { ["__rng_state__"] = rngState };
            TensorFile.Save(Path.Combine(dir, OptimizerFile), opt);
            File.WriteAllText(Path.Combine(dir, StateFile), JsonSerializer.Serialize(state, Json));
        });
        foreach (var old in StepDirs().SkipLast(Math.Max(1, keep))) Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>Writes the best weights (replacing the previous best only once the new one is complete).</summary>
    public void SaveBest(TrainerState state, IReadOnlyDictionary<string, Tensor> weights) =>
        WriteAtomically(BestDir, dir =>
        {
            TensorFile.Save(Path.Combine(dir, WeightsFile), weights);
            File.WriteAllText(Path.Combine(dir, StateFile), JsonSerializer.Serialize(state, Json));
        });

    /// <summary>The newest complete step checkpoint, or null.</summary>
    public string? Latest() => StepDirs().LastOrDefault();

    /// <summary>Reads a checkpoint folder written by <see cref="Save"/>.</summary>
    public static (TrainerState State, Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> Optimizer, Tensor? Rng) Load(string dir)
    {
        var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(dir, StateFile)))
                    ?? throw new InvalidDataException($"{dir}: empty {StateFile}.");
        var weights = TensorFile.Load(Path.Combine(dir, WeightsFile));
        var optPath = Path.Combine(dir, OptimizerFile);
        var opt = File.Exists(optPath) ? TensorFile.Load(optPath) : new Dictionary<string, Tensor>();
        opt.Remove("__rng_state__", out var rng);
        return (state, weights, opt, rng);
    }

    /// <summary>Reads just the weights of a checkpoint folder (e.g. <see cref="BestDir"/>).</summary>
    public static Dictionary<string, Tensor> LoadWeights(string dir) => TensorFile.Load(Path.Combine(dir, WeightsFile));

    IEnumerable<string> StepDirs() => Directory.Exists(Root)
        ? Directory.GetDirectories(Root, "step-*").Where(d => !d.Contains(".tmp")).Order(StringComparer.Ordinal)
        : [];

    /// <summary>
    /// Fills a temp folder, then renames it to <paramref name="final"/>; an existing <paramref name="final"/> is first
    /// renamed aside (never deleted before the replacement is complete) and removed afterwards.
    /// </summary>
    internal static void WriteAtomically(string final, Action<string> fill)
    {
        var parent = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(parent);
        foreach (var stale in Directory.GetDirectories(parent, Path.GetFileName(final) + ".tmp-*")) Directory.Delete(stale, true);
        var tmp = $"{final}.tmp-{Environment.ProcessId}";
        Directory.CreateDirectory(tmp);
        fill(tmp);
        string? aside = null;
        if (Directory.Exists(final)) { aside = $"{final}.tmp-old-{Environment.ProcessId}"; Directory.Move(final, aside); }
        Directory.Move(tmp, final);
        if (aside is not null) Directory.Delete(aside, true);
    }
}
