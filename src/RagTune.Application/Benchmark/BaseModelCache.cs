using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RagTune.Evaluation.Benchmark;
using RagTune.Training;
using RagTune.Training.Pretraining;
using RagTune.Training.Reporting;

namespace RagTune.Application.Benchmark;

/// <summary>
/// The demo's pre-trained base model, cached under the user cache folder and keyed by a hash of everything that
/// determines it (generator version, preset, recipe, seed). A model is built in a private temporary folder and moved
/// into place in one rename, so a crash or a concurrent run never leaves a half-written model under the key.
/// </summary>
internal static class BaseModelCache
{
    /// <summary>Bump when the pre-training recipe changes what a seed produces.</summary>
    public const int RecipeVersion = 6; // 2: length-grouped batches; 3: follow-up questions, loss on prompts; 4: reading entities; 5: space before message content (drill stages and mimetic attention are preset fields, off in the full preset); 6: the loss summed in row chunks (another floating-point order, so another model)

    /// <summary><c>$XDG_CACHE_HOME/ragtune</c> or <c>~/.cache/ragtune</c> (Linux, macOS); the local application data folder on Windows.</summary>
    public static string DefaultRoot =>
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "ragtune")
        : OperatingSystem.IsWindows() ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ragtune", "cache")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ragtune");

    /// <summary>The pre-training options the demo uses for <paramref name="preset"/>.</summary>
    /// <param name="preset">Sizes and budgets.</param>
    /// <param name="seed">Seed of initialisation and data order.</param>
    /// <param name="corpusPath">The corpus (<see cref="PretrainCorpusBuilder.Build"/>).</param>
    /// <param name="outputDir">Where the model and checkpoints go.</param>
    /// <param name="stages">The drill stages (<see cref="PretrainCorpusBuilder.DrillStages"/>, written to files), trained in order before the corpus.</param>
    /// <param name="validationPath">Held-out drills scored while pre-training runs (<see cref="PretrainCorpusBuilder.DrillValidation"/>).</param>
    public static PretrainOptions Recipe(BenchmarkPreset preset, int seed, string corpusPath, string outputDir,
        IReadOnlyList<PretrainStage>? stages = null, string? validationPath = null) => new()
    {
        CorpusPath = corpusPath, VocabSize = preset.VocabSize, HiddenSize = preset.HiddenSize, Layers = preset.Layers, Heads = preset.Heads,
        MaxSeqLen = preset.MaxSeqLen, ConversationLossOnPrompts = preset.PretrainOnPrompts,
        AttentionInit = preset.MimeticAttention ? AttentionInit.Mimetic : AttentionInit.Random, RopeTheta = preset.RopeTheta,
        Stages = stages ?? [],
        ValidationPath = validationPath,
        Trainer = new TrainerOptions
        {
            OutputDir = outputDir, MaxSteps = preset.PretrainSteps, BatchSize = preset.PretrainBatchSize, LearningRate = preset.PretrainLearningRate,
            WeightDecay = 0.1, WarmupRatio = 0.05, Seed = seed, LogEvery = 10, SaveEvery = 100, KeepCheckpoints = 1, PlotLoss = false, EvalEvery = 100,
            // Documents, short questions and long grounded prompts mix: random batches would pad most rows to the longest.
            GroupByLength = true,
        },
    };

    /// <summary>The cache key: a hash of the generator version, the preset, the recipe version and the seed.</summary>
    public static string Key(BenchmarkPreset preset, int seed)
    {
        var text = $"world v{WorldGenerator.Version}|recipe v{RecipeVersion}|seed {seed}|{JsonSerializer.Serialize(preset)}";
        return $"{preset.Name}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16]}";
    }

    /// <summary>
    /// The cached model folder for (<paramref name="preset"/>, <paramref name="seed"/>), pre-training it first when absent
    /// (the corpus comes from <paramref name="world"/>). Returns the folder and whether it was built now.
    /// </summary>
    public static (string Dir, PretrainResult? Built) GetOrPretrain(BenchmarkWorld world, BenchmarkPreset preset, string root,
        Func<string, IReadOnlyList<Microsoft.Extensions.AI.ChatMessage>>? closedBook, Action<string>? log, Action<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        var dir = Path.Combine(Path.GetFullPath(root), "demo-base", Key(preset, world.Seed));
        if (File.Exists(Path.Combine(dir, "model.safetensors")) && File.Exists(Path.Combine(dir, "config.json"))) return (dir, null);
        // A fixed scratch folder: an interrupted pre-training resumes from its last checkpoint on the next run.
        var work = dir + ".partial";
        Directory.CreateDirectory(work);
        var corpus = Path.Combine(work, "corpus.jsonl");
        BenchmarkFiles.WriteJsonl(corpus, PretrainCorpusBuilder.Build(world, preset, closedBook: closedBook));
        var stages = PretrainCorpusBuilder.DrillStages(world, preset).Select((stage, i) =>
        {
            var path = Path.Combine(work, $"drills-{i + 1}.jsonl");
            BenchmarkFiles.WriteJsonl(path, stage.Drills);
            return new PretrainStage(path, stage.Steps, preset.DrillBatchSize, stage.LearningRate);
        }).ToList();
        var validation = Path.Combine(work, "drills-held-out.jsonl");
        BenchmarkFiles.WriteJsonl(validation, PretrainCorpusBuilder.DrillValidation(world));
        var train = Path.Combine(work, "model");
        var result = new PretrainRecipe(Recipe(preset, world.Seed, corpus, train, stages, validation) is var o ? o with { Trainer = o.Trainer with { Resume = true } } : null!) { OnMessage = log, OnProgress = progress }.Run(cancellationToken);
        // Keep only the Hugging Face files (checkpoints and metrics are the run's scratch).
        var final = Path.Combine(work, "final");
        if (Directory.Exists(final)) Directory.Delete(final, true);
        Directory.CreateDirectory(final);
        foreach (var f in Directory.GetFiles(train)) File.Move(f, Path.Combine(final, Path.GetFileName(f)));
        try
        {
            Directory.Move(final, dir);
        }
        catch (IOException) when (File.Exists(Path.Combine(dir, "model.safetensors")))
        {
            // Another run finished the same key first; its model is identical (same seed, same recipe).
        }
        Directory.Delete(work, true);
        return (dir, result with { ModelDir = dir });
    }
}
