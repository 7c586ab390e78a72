using RagTune.Application;
using System.CommandLine;
using RagTune.Application.Benchmark;
using RagTune.Evaluation.Benchmark;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune demo [--out dir] [--seed N] [--quick]</c>: the built-in benchmark — generated worlds, a base model
/// pre-trained on one of them (cached), and <c>ragtune compare</c> on the other: base, RAG, fine-tuning on documents /
/// paraphrases, fine-tuning + RAG and RAFT on QA and multiple choice, plus a classification task. Progress on stderr;
/// report.html/json/md in the folder.
/// </summary>
public sealed class DemoCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build()
    {
        var seed = new Option<int>("--seed") { Description = "Seed of the worlds, the pre-training and every arm.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out") { Description = "Output folder (generated inputs, compare configs, reports).", DefaultValueFactory = _ => Path.Combine(".", "out", "demo") };
        var quick = new Option<bool>("--quick") { Description = "Reduced worlds and model (the run CI uses; < 3 minutes)." };
        var cache = new Option<string?>("--cache") { Description = "Folder for the pre-trained base model (default: the user cache folder)." };
        var embed = new Option<string>("--embed-model") { Description = "Embedding model of hybrid retrieval: minilm (built in, default), arctic-xs, an encoder folder, or none (BM25 only).", DefaultValueFactory = _ => "minilm" };
        var force = new Option<bool>("--force") { Description = "Re-run every arm even when a cached result exists." };
        var baseOnly = new Option<bool>("--base-only") { Description = "Stop after the base model (pre-trained or cached) and its reading check." };
        var steps = new Option<int?>("--pretrain-steps") { Description = "Pre-training steps of the base model (default: the preset's; another value is another cached model)." };
        var command = new Command("demo", "Run the built-in benchmark: pre-train a small base model, then compare base, RAG, fine-tuning, fine-tuning + RAG and RAFT on a generated world.");
        foreach (var o in new Option[] { seed, output, quick, cache, embed, force, baseOnly, steps }) command.Options.Add(o);
        command.SetAction(async (ParseResult result, CancellationToken ct) =>
        {
            var cli = CliOutput.For(result);
            var dir = result.GetValue(output)!;
            var preset = result.GetValue(quick) ? BenchmarkPreset.Quick : BenchmarkPreset.Full;
            if (result.GetValue(steps) is { } n)
            {
                if (n <= 0) { cli.Note("error: --pretrain-steps must be positive."); return (int)ExitCode.BadArguments; }
                preset = preset with { PretrainSteps = n };
            }
            var options = new DemoOptions
            {
                OutputDir = dir, Seed = result.GetValue(seed), Preset = preset,
                CacheDir = result.GetValue(cache), EmbedModel = result.GetValue(embed)!, Force = result.GetValue(force), BaseOnly = result.GetValue(baseOnly),
            };
            var demo = DemoCompare.Create(options, new InlineProgress<string>(line => cli.Note($"[{DateTime.Now:HH:mm:ss}] {line}")));
            DemoSummary summary;
            try
            {
                summary = await demo.RunAsync(ct);
            }
            catch (DemoOutputException e)
            {
                cli.Note($"error: {e.Message}");
                return (int)ExitCode.BadArguments;
            }
            catch (OperationCanceledException)
            {
                return (int)ExitCode.Cancelled;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                cli.Note($"error: cannot write to '{dir}': {e.Message}. HINT: pass a writable folder with --out.");
                return (int)ExitCode.Failure;
            }
            cli.Line($"base model: {summary.ModelDir} ({(summary.Pretrained ? $"pre-trained now, {summary.PretrainSeconds:F0} s" : "from the cache")})");
            cli.Line($"reading check: exact match {summary.Reading.ExactMatch.Value:F3} on {summary.Reading.Items} held-out grounded questions → {Path.Combine(summary.OutputDir, BenchmarkDemo.ReadingCheckFileName)}");
            foreach (var (config, report) in summary.Configs.Zip(summary.ReportDirs))
                cli.Line($"{Path.GetFileName(config)} → {Path.Combine(report, "report.html")}");
            cli.Line($"total {summary.TotalSeconds:F0} s");
            return (int)ExitCode.Ok;
        });
        return command;
    }
}
