using System.CommandLine;
using RagTune.Application;

namespace RagTune.Cli.Commands;

/// <summary><c>ragtune kb stats --kb &lt;dir&gt; [--json]</c>: files, documents, chunks, embeddings, index sizes.</summary>
public sealed class KbStatsCommand : ICliCommand
{
    /// <inheritdoc/>
    public string? Group => "kb";

    /// <inheritdoc/>
    public Command Build()
    {
        var kb = new Option<string>("--kb") { Description = "Knowledge-base folder.", Required = true };
        var json = new Option<bool>("--json") { Description = "Only JSON on stdout." };
        var command = new Command("stats", "Counts and sizes of a knowledge base.") { kb, json };
        command.SetAction((ParseResult r) => CommandAction.Run(() =>
        {
            var output = CliOutput.For(r);
            using var store = KnowledgeBases.OpenForReading(r.GetValue(kb)!);
            var s = store.GetStats();
            if (r.GetValue(json)) { output.Json(s); return ExitCode.Ok; }
            output.Line($"knowledge base {s.Folder}");
            output.Line($"  files      {s.Files,12:N0}");
            output.Line($"  documents  {s.Documents,12:N0}  ({s.TotalCharacters:N0} characters)");
            output.Line($"  chunks     {s.Chunks,12:N0}  (Lucene: {s.LuceneDocuments:N0}, embedded: {s.EmbeddedChunks:N0})");
            output.Line($"  embeddings {(s.EmbeddingModel is null ? "none" : $"{s.EmbeddingModel} ({s.EmbeddingDimensions} dims)")}");
            output.Line($"  sqlite     {s.SqliteBytes / 1e6,12:F2} MB");
            output.Line($"  lucene     {s.LuceneBytes / 1e6,12:F2} MB");
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error));
        return command;
    }
}
