using System.CommandLine;
using System.Globalization;
using RagTune.Application;
using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Store;
using Spectre.Console;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune ingest --kb &lt;dir&gt; [--format auto|beir] [--sync] [--embed-model minilm|arctic-xs|&lt;dir|url&gt;|none] &lt;paths…&gt;</c>:
/// files and folders into a knowledge base, incrementally; progress (files, chunks, MB/s, ETA) on stderr; a summary
/// and the per-file errors at the end. Exit code 0, or 3 (bad input) when some files could not be read.
/// </summary>
public sealed class IngestCommand : ICliCommand
{
    /// <inheritdoc/>
    public Command Build()
    {
        var kb = new Option<string>("--kb") { Description = "Knowledge-base folder (created if missing).", Required = true };
        var format = new Option<string>("--format") { Description = "auto: reader by extension; beir: .jsonl files are BEIR corpora.", DefaultValueFactory = _ => "auto" };
        format.AcceptOnlyFromAmong("auto", "beir");
        var sync = new Option<bool>("--sync") { Description = "Also delete documents of files that no longer exist under the given paths." };
        var embed = new Option<string>("--embed-model") { Description = "Embed chunks for dense/hybrid search: minilm (default for a new knowledge base), arctic-xs, a model folder, an http(s) endpoint#model, or none (BM25 only)." };
        var tags = new Option<string[]>("--tag") { Description = "Tag every document (filter with tag=…).", AllowMultipleArgumentsPerToken = true };
        var maxTokens = new Option<int>("--chunk-tokens") { Description = "Chunk size in tokens.", DefaultValueFactory = _ => 256 };
        var overlap = new Option<int>("--chunk-overlap") { Description = "Overlap between chunks in tokens.", DefaultValueFactory = _ => 32 };
        var batch = new Option<int>("--batch-chunks") { Description = "Chunks per committed batch (a crash loses at most one batch).", DefaultValueFactory = _ => 512 };
        var index = new Option<string?>("--index")
        {
            Description = "Dense index, stored in the knowledge base: exact (SIMD scan), hnsw (persisted graph) or auto (HNSW from " +
                $"{KnowledgeBase.DefaultHnswThreshold:N0} embedded chunks). Default: keep the knowledge base's setting (auto).",
        };
        index.AcceptOnlyFromAmong("auto", "exact", "hnsw");
        var paths = new Argument<string[]>("paths") { Description = "Files and folders to ingest.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("ingest", "Ingest files into a knowledge base (txt, md, html, pdf, docx, json, jsonl, csv, BEIR).")
        {
            kb, format, sync, embed, tags, maxTokens, overlap, batch, index, paths,
        };
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(async () =>
        {
            var request = new IngestRequest
            {
                KnowledgeBase = r.GetValue(kb)!, Paths = r.GetValue(paths)!, Format = r.GetValue(format)!, Sync = r.GetValue(sync),
                EmbedModel = r.GetValue(embed), EmbedOptions = CommandOptions.ModelOptions(), Tags = r.GetValue(tags) ?? [],
                Chunking = new ChunkingOptions { MaxTokens = r.GetValue(maxTokens), OverlapTokens = r.GetValue(overlap) }, BatchChunks = r.GetValue(batch),
                Index = r.GetValue(index) is { } kind ? Enum.Parse<VectorIndexKind>(kind, ignoreCase: true) : null,
            };
            var output = CliOutput.For(r);
            var result = await RunWithProgressAsync(request, output, ct);
            Render(output, result);
            return result.Summary.Errors.Count > 0 ? ExitCode.BadInput : ExitCode.Ok;
        }, r.InvocationConfiguration.Error, ct, badArguments: e => e is ArgumentException));
        return command;
    }

    /// <summary>A progress bar on an interactive stderr; otherwise a line per second.</summary>
    static async Task<IngestResult> RunWithProgressAsync(IngestRequest request, CliOutput output, CancellationToken ct)
    {
        if (!CliOutput.IsTerminal(output.Error))
        {
            var last = DateTime.MinValue;
            return await IngestService.RunAsync(request, new InlineProgress<IngestProgress>(p =>
            {
                if ((DateTime.UtcNow - last).TotalSeconds < 1) return;
                last = DateTime.UtcNow;
                output.Note(Describe(p) + (p.Eta is { } eta ? $", ETA {eta:hh\\:mm\\:ss}" : ""));
            }), ct);
        }
        var console = CliOutput.Rich(output.Error);
        return await console.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("ingest");
                return await IngestService.RunAsync(request, new InlineProgress<IngestProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.BytesTotal);
                    task.Value = p.BytesDone;
                    task.Description = Markup.Escape(Describe(p));
                }), ct);
            });
    }

    static void Render(CliOutput output, IngestResult result)
    {
        if (result.Recovered is { } fix)
            output.Note($"recovered an interrupted ingest: re-indexed {fix.Reindexed} chunks, removed {fix.Removed} stale index entries");
        var summary = result.Summary;
        output.Line(string.Create(CultureInfo.InvariantCulture,
            $"ingested {summary.FilesScanned} files ({summary.FilesUnchanged} unchanged) in {summary.Elapsed.TotalSeconds:F1} s, {summary.MegabytesPerSecond:F2} MB/s: " +
            $"{summary.DocumentsAdded} documents added, {summary.DocumentsUpdated} updated, {summary.DocumentsDeleted} deleted, {summary.ChunksWritten} chunks written"));
        foreach (var e in summary.Errors) output.Note($"  failed: {e.Path}: {e.Reason}");
        if (summary.Errors.Count > 0) output.Note($"{summary.Errors.Count} file(s) could not be ingested; the others were.");
    }

    static string Describe(IngestProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.FilesDone}/{p.FilesTotal} files, {p.Chunks} chunks, {p.MegabytesPerSecond:F2} MB/s");
}
