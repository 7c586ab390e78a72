using System.CommandLine;
using RagTune.Evaluation.Comparison;
using Spectre.Console;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune demo [--seed N] [--out dir] [--quick]</c>: the built-in offline end-to-end run — a fictional domain, a
/// tiny model built on the spot, and base / RAG / fine-tuned / fine-tuned+RAG side by side, before and after a
/// knowledge update. Progress goes to stderr; the table to stdout; <c>report.json</c> and <c>chart.png</c> to the folder.
/// </summary>
public sealed class DemoCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build()
    {
        var seed = new Option<int>("--seed") { Description = "Seed of the domain, model and data order.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out") { Description = "Output folder (corpus, models, report.json, chart.png).", DefaultValueFactory = _ => Path.Combine(".", "out", "demo") };
        var quick = new Option<bool>("--quick") { Description = "Tiny domain and model (seconds; for tests)." };
        var command = new Command("demo", "Run the built-in offline end-to-end comparison: base model, RAG, fine-tuning, fine-tuning + RAG, freshness.");
        command.Options.Add(seed);
        command.Options.Add(output);
        command.Options.Add(quick);
        command.SetAction(async (ParseResult result, CancellationToken ct) =>
        {
            var dir = result.GetValue(output)!;
            var options = result.GetValue(quick)
                ? DemoOptions.Quick(dir, result.GetValue(seed))
                : new DemoOptions { Seed = result.GetValue(seed), OutputDir = dir };
            var runner = new DemoRunner(options, line => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}"));
            DemoReport report;
            try
            {
                report = await runner.RunAsync(ct);
            }
            catch (DemoOutputException e)
            {
                // Reported here: System.CommandLine would print an exception thrown from an action with its stack trace.
                Console.Error.WriteLine($"error: {e.Message}");
                return (int)ExitCode.BadArguments;
            }
            catch (OperationCanceledException)
            {
                return (int)ExitCode.Cancelled;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: cannot write to '{dir}': {e.Message}. HINT: pass a writable folder with --out.");
                return (int)ExitCode.Failure;
            }
            Render(report, Path.GetFullPath(dir));
            return (int)ExitCode.Ok;
        });
        return command;
    }

    static void Render(DemoReport report, string dir)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        // Redirected output has no width; Spectre would wrap the table at 80 columns.
        if (Console.IsOutputRedirected) console.Profile.Width = 140;
        var table = new Table()
            .Title($"{report.Facts} questions over {report.Documents} documents; the update changes {report.ChangedFacts} facts in {report.ChangedDocuments} documents")
            .Caption("accuracy: exact match, all questions before the update; after update / stale: on the changed facts, new value / old value");
        table.AddColumns("system", "accuracy", "after update", "stale", $"recall@{report.TopK}", "ms/question", "p95 ms", "training s", "update s");
        foreach (var s in report.Systems)
            table.AddRow(
                s.Name,
                $"{s.Accuracy:P0}",
                $"{s.UpdatedAccuracy:P0}",
                $"{s.StaleRate:P0}",
                s.RetrievalRecall is { } r ? $"{r:P0}" : "–",
                $"{s.MeanLatencyMs:F1}",
                $"{s.P95LatencyMs:F1}",
                s.TrainingSeconds > 0 ? $"{s.TrainingSeconds:F1}" : "–",
                s.UpdateSeconds is { } u ? $"{u:F3}" : s.Name == "base" ? "–" : "re-train");
        foreach (var i in Enumerable.Range(1, 8)) table.Columns[i].RightAligned();
        console.Write(table);
        console.WriteLine($"model: {report.Parameters:N0} parameters, {report.VocabSize} words; reading lesson {report.ReadingTrainingSeconds:F1} s; " +
                          $"fine-tuning {report.FineTuneTokensPerSecond:N0} tokens/s; first ingest {report.IngestSeconds:F3} s; peak working set {report.PeakWorkingSetMb:F0} MB");
        console.WriteLine("steps (s): " + string.Join(", ", report.Steps.Select(t => $"{t.Step} {t.Seconds:F2}")));
        foreach (var note in report.Notes) console.WriteLine($"note: {note}");
        console.WriteLine($"report: {Path.Combine(dir, DemoReportWriter.JsonFileName)}  chart: {Path.Combine(dir, DemoReportWriter.ChartFileName)}");
    }
}
