using System.CommandLine;
using System.Globalization;
using RagTune.Application.Compare;
using RagTune.Evaluation.Compare.Reports;
using RagTune.Models;
using RagTune.Training.Data;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune compare --config &lt;compare.json&gt; --out &lt;dir&gt; [--seed N] [--force]</c>: base, RAG and fine-tuned arms
/// on the user's own task, with intervals, paired tests and a verdict; report.json / .md / .html in the folder.
/// Progress goes to stderr; the verdict and the report paths to stdout. Exit 0 once the report is written.
/// </summary>
public sealed class CompareCommand : ICliCommand
{
    /// <inheritdoc/>
    public Command Build()
    {
        var config = new Option<string>("--config") { Description = "The comparison's compare.json (see examples/compare/).", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder (knowledge bases, models, cached arms, report.*).", Required = true };
        var seed = new Option<int?>("--seed") { Description = "Overrides the config's seed." };
        var force = new Option<bool>("--force") { Description = "Re-run every arm and re-train every model even when cached." };
        var command = new Command("compare", "Compare base, RAG and fine-tuned arms on your task with sound statistics and write a report.") { config, output, seed, force };
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(async () =>
        {
            var error = r.InvocationConfiguration.Error;
            CompareReport report;
            try
            {
                var cfg = CompareConfig.Load(r.GetValue(config)!);
                report = await CompareRunner.RunAsync(cfg, r.GetValue(output)!, new CompareRunOptions { Seed = r.GetValue(seed), Force = r.GetValue(force) }, new SyncProgress(error), ct);
            }
            catch (Exception e) when (e is CompareConfigException or DatasetException or ModelLoadException or RagTune.Training.TrainingDivergedException)
            {
                throw new UserFacingException(e.Message, ExitCode.BadInput, e);
            }
            var o = r.InvocationConfiguration.Output;
            o.WriteLine(report.Verdict);
            var dir = Path.GetFullPath(r.GetValue(output)!);
            o.WriteLine($"report: {Path.Combine(dir, CompareReportWriter.HtmlFileName)} ({CompareReportWriter.JsonFileName}, {CompareReportWriter.MarkdownFileName} beside it)");
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error, ct));
        return command;
    }

    /// <summary>Writes each progress report as it happens (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    sealed class SyncProgress(TextWriter error) : IProgress<CompareProgress>
    {
        public void Report(CompareProgress value) => error.WriteLine($"[{DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {value}");
    }
}
