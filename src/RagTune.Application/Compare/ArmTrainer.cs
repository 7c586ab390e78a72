using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using RagTune.Training;
using RagTune.Training.Data;
using RagTune.Training.Lora;
using RagTune.Training.Reporting;

namespace RagTune.Application.Compare;

/// <summary>
/// Trains one model through <see cref="FineTuneService"/> — the service behind <c>ragtune finetune</c>, LoRA (merged into
/// a plain checkpoint so every arm loads the same way) or full — and caches it: a folder whose <c>compare-model.json</c>
/// holds the same hash (base model, data file, settings, seed) is reused unless forced.
/// </summary>
internal static class ArmTrainer
{
    const string Marker = "compare-model.json";

    public static async Task<TrainedModel> TrainAsync(string kind, string baseModel, string dataFile, TrainingTask task, TrainingSettings settings, int seed,
                                     string outDir, string hash, bool force, IProgress<CompareProgress>? progress, CancellationToken ct)
    {
        var marker = Path.Combine(outDir, Marker);
        if (!force && File.Exists(marker))
        {
            var cached = JsonSerializer.Deserialize<TrainedModel>(File.ReadAllText(marker));
            if (cached is not null && cached.Hash == hash && File.Exists(Path.Combine(outDir, "config.json")))
            {
                progress?.Report(new CompareProgress($"train {kind}", $"cached model in {outDir} (same data and settings)"));
                return cached;
            }
        }
        if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        Directory.CreateDirectory(outDir);
        var step = $"train {kind}";
        if (task == TrainingTask.Sft)
        {
            // A supervised example cut before its answer teaches nothing (and a batch of them has no loss at all):
            // RAFT prompts with several sources easily exceed a length set for short questions.
            var longest = (int)Tokenized(baseModel, dataFile, task, int.MaxValue, settings.Packing).Max(e => e.InputIds.Length);
            var limit = RagTune.Models.ModelConfig.FromFolder(baseModel).GetInt("max_position_embeddings") ?? longest;
            if (longest > settings.MaxSeqLen)
            {
                settings = settings with { MaxSeqLen = Math.Min(longest, limit) };
                progress?.Report(new CompareProgress(step, $"max_seq_len raised to {settings.MaxSeqLen} so every example keeps its answer"));
            }
        }
        var options = new FineTuneOptions
        {
            ModelDir = baseModel,
            DataPath = dataFile,
            Task = task,
            Method = settings.Method == "full" ? FineTuneMethod.Full : FineTuneMethod.Lora,
            // No dropout: the arms compare adaptation methods on a handful of epochs, where dropout only adds variance.
            Lora = settings.Method == "full" ? null : new LoraConfig { R = settings.LoraR, Alpha = 2 * settings.LoraR, Dropout = 0 },
            MaxSeqLen = settings.MaxSeqLen,
            Packing = settings.Packing,
            Merge = true,
            Trainer = new TrainerOptions
            {
                OutputDir = outDir,
                Epochs = settings.Epochs,
                LearningRate = settings.LearningRate,
                BatchSize = settings.BatchSize,
                Seed = seed,
                LogEvery = 5,
                KeepCheckpoints = 1,
                PlotLoss = false,
                // Unpacked documents vary in length: batch similar lengths so rows are not padded to the longest.
                GroupByLength = task == TrainingTask.Causal && !settings.Packing,
            },
        };
        progress?.Report(new CompareProgress(step, $"fine-tuning ({settings.Method}, {settings.Epochs} epochs) on {dataFile}"));
        var messages = new InlineProgress<string>(line => progress?.Report(new CompareProgress(step, line)));
        var steps = new InlineProgress<TrainingProgress>(p =>
        {
            if (p.Step % 5 == 0 || p.Step == p.TotalSteps || p.Eval is not null)
                progress?.Report(new CompareProgress(step, $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} {p.TokensPerSecond:N0} tokens/s ETA {p.Eta:hh\\:mm\\:ss}"));
        });
        var watch = Stopwatch.StartNew();
        await FineTuneService.RunAsync(options, steps, messages, ct);
        var seconds = watch.Elapsed.TotalSeconds;
        // Checkpoints are resume state of this run only; the arm keeps the final model.
        var checkpoints = Path.Combine(outDir, "checkpoints");
        if (Directory.Exists(checkpoints)) Directory.Delete(checkpoints, recursive: true);
        var tokens = (double)Tokenized(baseModel, dataFile, task, settings.MaxSeqLen, settings.Packing).Sum(e => (long)e.InputIds.Length) * settings.Epochs;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var model = new TrainedModel(kind, outDir, seconds, tokens / Math.Max(seconds, 1e-9), process.PeakWorkingSet64 / (1024.0 * 1024.0),
            FileSize(Path.Combine(outDir, "adapter_model.safetensors")), Directory.EnumerateFiles(outDir, "model*.safetensors").Sum(f => new FileInfo(f).Length), hash);
        var temp = marker + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(model));
        File.Move(temp, marker, overwrite: true);
        progress?.Report(new CompareProgress(step, $"done in {seconds:F1} s ({model.TokensPerSecond:N0} tokens/s)"));
        return model;
    }

    static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <summary>The training sequences as the recipe builds them (for token counts; padding is not counted).</summary>
    static IReadOnlyList<TrainingExample> Tokenized(string baseModel, string dataFile, TrainingTask task, int maxSeqLen, bool packing)
    {
        var tokenizer = TokenizerLoader.FromFolder(baseModel);
        var template = ChatTemplate.FromFolder(baseModel);
        var builder = new DatasetBuilder(tokenizer, task, maxSeqLen)
        {
            Packing = packing,
            ChatRenderer = template is null ? null : (turns, gen) => template.Render(turns.Select(t => new ChatMessage(new ChatRole(t.Role), t.Content)), gen),
        };
        return builder.BuildFromFile(dataFile).Examples;
    }
}
