using System.CommandLine;
using System.Globalization;
using RagTune.Application;
using RagTune.Retrieval.Retrieval;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune search --kb &lt;dir&gt; --query &lt;q&gt; [--mode bm25|dense|hybrid] [-k 10] [--filter key=value] [--json]</c>:
/// the top chunks with score, title, source, page and a snippet; <c>--json</c> prints only a JSON array on stdout.
/// </summary>
public sealed class SearchCommand : ICliCommand
{
    /// <inheritdoc/>
    public Command Build()
    {
        var kb = new Option<string>("--kb") { Description = "Knowledge-base folder.", Required = true };
        var query = new Option<string>("--query", "-q") { Description = "Query text.", Required = true };
        var mode = CommandOptions.Mode("bm25, dense or hybrid (default: hybrid when the knowledge base has embeddings, else bm25).");
        var k = new Option<int>("-k", "--top-k") { Description = "Number of chunks.", DefaultValueFactory = _ => 10 };
        var filter = new Option<string[]>("--filter") { Description = "Metadata condition key=value (source, doc, title, tag, or a record field); repeatable." };
        var minScore = new Option<double?>("--min-score") { Description = "Relevance threshold on the mode's score." };
        var json = new Option<bool>("--json") { Description = "Only JSON on stdout." };
        var command = new Command("search", "Search a knowledge base.") { kb, query, mode, k, filter, minScore, json };
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(async () =>
        {
            var output = CliOutput.For(r);
            var result = await SearchService.RunAsync(new SearchRequest
            {
                KnowledgeBase = r.GetValue(kb)!, Query = r.GetValue(query)!, Mode = CommandOptions.ModeValue(r.GetValue(mode)),
                TopK = r.GetValue(k), MinScore = r.GetValue(minScore), Filters = r.GetValue(filter) ?? [],
            }, ct);
            if (r.GetValue(json)) WriteJson(output, result.Mode.Name(), result.Hits);
            else WriteText(output, result.Mode.Name(), result.Hits);
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error, ct));
        return command;
    }

    static void WriteText(CliOutput output, string mode, IReadOnlyList<RetrievedChunk> hits)
    {
        if (hits.Count == 0) { output.Line($"no results ({mode})"); return; }
        for (var i = 0; i < hits.Count; i++)
        {
            var c = hits[i].Chunk;
            output.Line(string.Create(CultureInfo.InvariantCulture,
                $"{i + 1,3}. {hits[i].Score,8:F4}  {c.Title}{(c.Page is { } p ? $" (p. {p})" : "")}  [{c.SourcePath}:{c.Start}-{c.End}]"));
            output.Line($"     {Snippet(c.Text)}");
        }
    }

    static void WriteJson(CliOutput output, string mode, IReadOnlyList<RetrievedChunk> hits) =>
        output.Json(hits.Select((h, i) => new
        {
            rank = i + 1, score = h.Score, mode, chunkId = h.Chunk.ChunkId, documentId = h.Chunk.DocumentId, source = h.Chunk.SourcePath,
            title = h.Chunk.Title, start = h.Chunk.Start, end = h.Chunk.End, page = h.Chunk.Page, heading = h.Chunk.HeadingPath, text = h.Chunk.Text,
        }));

    internal static string Snippet(string text, int max = 160)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= max ? flat : flat[..max] + "…";
    }
}
