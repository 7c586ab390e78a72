using System.Diagnostics;
using Microsoft.Extensions.AI;
using RagTune.Evaluation.Benchmark;
using RagTune.Training.Reporting;

namespace RagTune.Application.Benchmark;

/// <summary>
/// <c>ragtune demo</c>: generates the benchmark's worlds from the seed, pre-trains the base model on the pre-training
/// world (or takes it from the cache), writes the test world's documents, train/test sets, update and compare
/// configs, and runs the comparison on each task. Deletes only inside an output folder that carries its marker file.
/// </summary>
public sealed class BenchmarkDemo(DemoOptions options, Func<string, string, CancellationToken, Task> runCompare, IProgress<string>? progress = null)
{
    /// <summary>Marker file: the demo may delete and rewrite the contents of a folder that has it.</summary>
    public const string MarkerFileName = ".ragtune-demo";

    /// <summary>The generated inputs, relative to the output folder.</summary>
    public const string BenchmarkFolder = "benchmark";

    /// <summary>The base model's reading check, in the output folder.</summary>
    public const string ReadingCheckFileName = "reading-check.json";

    /// <summary>Report subfolders of the multiple-choice and classification runs (the QA report is written at the top).</summary>
    public const string MultipleChoiceFolder = "multiple-choice", ClassifyFolder = "classify";

    /// <summary>The closed-book prompt the comparison sends; the pre-training corpus asks memory questions the same way.</summary>
    public Func<string, IReadOnlyList<ChatMessage>>? ClosedBookPrompt { get; init; }

    /// <summary>Runs everything; returns what was done.</summary>
    public async Task<DemoSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var outDir = Path.GetFullPath(options.OutputDir);
        PrepareOutput(outDir);
        var preset = options.Preset;
        var world = WorldGenerator.Generate(options.Seed, preset);
        var benchmarkDir = Path.Combine(outDir, BenchmarkFolder);
        BenchmarkFiles.WriteTestWorld(world, benchmarkDir);
        var drills = preset.SimpleDrillSteps + preset.DrillSteps + preset.MixedDrills + preset.MixedSimpleDrills > 0
            ? $" (+ {preset.SimpleDrillSteps * preset.DrillBatchSize} simple and {preset.DrillSteps * preset.DrillBatchSize} full reading drills first, {preset.MixedDrills} full and {preset.MixedSimpleDrills} simple mixed in)"
            : "";
        Report($"worlds (seed {options.Seed}, preset {preset.Name}): pre-training {world.PretrainEntities.Count} entities / {world.PretrainDocuments.Count} documents + {world.ReadingEntities.Count} people only in context-reading conversations{drills}; " +
               $"test {world.TestEntities.Count} entities / {world.TestDocuments.Count} documents, {world.QaTest.Count} QA + {world.McTest.Count} multiple-choice test items, " +
               $"update {world.UpdatedDocuments.Count} documents / {world.QaUpdateTest.Count} questions, classification {world.ClassifyTrain.Count} train / {world.ClassifyTest.Count} test → {benchmarkDir}");

        var cacheRoot = options.CacheDir ?? BaseModelCache.DefaultRoot;
        var pretrainClock = Stopwatch.StartNew();
        Report($"base model: cache {Path.Combine(cacheRoot, "demo-base", BaseModelCache.Key(preset, options.Seed))}");
        var (modelDir, built) = BaseModelCache.GetOrPretrain(world, preset, cacheRoot, ClosedBookPrompt, Report,
            p => Report(p.Eval is { } e
                ? $"pre-training step {p.Step}/{p.TotalSteps}: answer loss on held-out reading drills {e.Loss:F3}"
                : $"pre-training step {p.Step}/{p.TotalSteps}  loss {p.Loss:F3}  {p.TokensPerSecond:F0} tok/s  ETA {p.Eta:m\\:ss}"), cancellationToken);
        var pretrainSeconds = pretrainClock.Elapsed.TotalSeconds;
        Report(built is null ? $"base model from the cache: {modelDir}"
                             : $"base model pre-trained in {pretrainSeconds:F0} s ({built.Parameters:N0} parameters, {built.Tokens:N0} tokens per epoch): {modelDir}");

        var reading = await CheckReadingAsync(world, modelDir, cancellationToken).ConfigureAwait(false);
        if (options.BaseOnly)
            return new DemoSummary(outDir, modelDir, built is not null, pretrainSeconds, reading, [], [], [], clock.Elapsed.TotalSeconds);

        var configs = DemoConfigs.Write(outDir, benchmarkDir, modelDir, options, reading);
        var targets = new[] { outDir, Path.Combine(outDir, MultipleChoiceFolder), Path.Combine(outDir, ClassifyFolder) };
        var compareSeconds = new List<double>();
        for (var i = 0; i < configs.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Report($"compare {Path.GetFileName(configs[i])} → {targets[i]}");
            var c = Stopwatch.StartNew();
            await runCompare(configs[i], targets[i], cancellationToken).ConfigureAwait(false);
            compareSeconds.Add(c.Elapsed.TotalSeconds);
        }
        return new DemoSummary(outDir, modelDir, built is not null, pretrainSeconds, reading, configs, targets, compareSeconds, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The base model's reading check (held-out pre-training-world entities), written to <see cref="ReadingCheckFileName"/>.</summary>
    async Task<ReadingCheckResult> CheckReadingAsync(BenchmarkWorld world, string modelDir, CancellationToken cancellationToken)
    {
        var items = PretrainCorpusBuilder.ReadingCheck(world, options.Preset);
        var watch = Stopwatch.StartNew();
        using var chat = ModelClients.OpenChat(modelDir);
        var result = await ReadingCheck.RunAsync(chat, items, options.Seed, progress, cancellationToken).ConfigureAwait(false);
        Report($"reading check (held-out pre-training-world entities, {result.Items} grounded questions, {watch.Elapsed.TotalSeconds:F0} s): " +
               $"exact match {Format(result.ExactMatch)}, a value of the asked kind from the sources {Format(result.ValueFromSources)} " +
               $"(a random pick among them: {result.ChanceFromSources:F3}), declined {Format(result.Abstained)}");
        var json = System.Text.Json.JsonSerializer.Serialize(result, Evaluation.Compare.Reports.CompareReportWriter.JsonOptions);
        BenchmarkFiles.WriteAtomic(Path.Combine(Path.GetFullPath(options.OutputDir), ReadingCheckFileName), json + "\n");
        return result;
    }

    static string Format(Evaluation.Compare.Reports.MetricValue m) => $"{m.Value:F3} [{m.CiLow:F3}, {m.CiHigh:F3}]";

    void Report(string line) => progress?.Report(line);

    /// <summary>
    /// An empty or new folder, or one an earlier demo made (marker present): then the generated inputs are replaced.
    /// Anything else is refused, so the demo never deletes files it did not write.
    /// </summary>
    static void PrepareOutput(string outDir)
    {
        var marker = Path.Combine(outDir, MarkerFileName);
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !File.Exists(marker))
            throw new DemoOutputException($"'{outDir}' is not empty and was not made by the demo (no {MarkerFileName}). HINT: pass an empty or new folder with --out.");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(marker, "Written by ragtune demo; the demo may delete and rewrite this folder's contents.\n");
        var inputs = Path.Combine(outDir, BenchmarkFolder);
        if (Directory.Exists(inputs)) Directory.Delete(inputs, true);
    }
}
