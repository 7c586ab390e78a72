using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RagTune.Cli.Rag;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

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
        var mode = new Option<string>("--mode") { Description = "bm25, dense or hybrid (default: hybrid when the knowledge base has embeddings, else bm25)." };
        mode.AcceptOnlyFromAmong(RetrieverFactory.Modes);
        var k = new Option<int>("-k", "--top-k") { Description = "Number of chunks.", DefaultValueFactory = _ => 10 };
        var filter = new Option<string[]>("--filter") { Description = "Metadata condition key=value (source, doc, title, tag, or a record field); repeatable." };
        var minScore = new Option<double?>("--min-score") { Description = "Relevance threshold on the mode's score." };
        var json = new Option<bool>("--json") { Description = "Only JSON on stdout." };
        var command = new Command("search", "Search a knowledge base.") { kb, query, mode, k, filter, minScore, json };
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(async () =>
        {
            var output = r.InvocationConfiguration.Output;
            if (r.GetValue(k) <= 0) throw new UserFacingException($"-k must be positive, got {r.GetValue(k)}.", ExitCode.BadArguments);
            using var store = KnowledgeBases.OpenForReading(r.GetValue(kb)!);
            var chosen = r.GetValue(mode) ?? (store.EmbeddingModel is null ? "bm25" : "hybrid");
            var retriever = RetrieverFactory.Open(store, chosen);
            var options = new RetrievalOptions
            {
                TopK = r.GetValue(k),
                MinScore = r.GetValue(minScore),
                Filter = r.GetValue(filter) is { Length: > 0 } f ? MetadataFilter.Parse(f) : null,
            };
            var hits = await retriever.RetrieveAsync(r.GetValue(query)!, options, ct);
            if (r.GetValue(json)) WriteJson(output, chosen, hits);
            else WriteText(output, chosen, hits);
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error, ct, badArguments: e => e is FormatException));
        return command;
    }

    static void WriteText(TextWriter output, string mode, IReadOnlyList<RetrievedChunk> hits)
    {
        if (hits.Count == 0) { output.WriteLine($"no results ({mode})"); return; }
        for (var i = 0; i < hits.Count; i++)
        {
            var c = hits[i].Chunk;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{i + 1,3}. {hits[i].Score,8:F4}  {c.Title}{(c.Page is { } p ? $" (p. {p})" : "")}  [{c.SourcePath}:{c.Start}-{c.End}]"));
            output.WriteLine($"     {Snippet(c.Text)}");
        }
    }

    static void WriteJson(TextWriter output, string mode, IReadOnlyList<RetrievedChunk> hits) =>
        output.WriteLine(JsonSerializer.Serialize(hits.Select((h, i) => new
        {
            rank = i + 1, score = h.Score, mode, chunkId = h.Chunk.ChunkId, documentId = h.Chunk.DocumentId, source = h.Chunk.SourcePath,
            title = h.Chunk.Title, start = h.Chunk.Start, end = h.Chunk.End, page = h.Chunk.Page, heading = h.Chunk.HeadingPath, text = h.Chunk.Text,
        })));

    internal static string Snippet(string text, int max = 160)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= max ? flat : flat[..max] + "…";
    }
}
