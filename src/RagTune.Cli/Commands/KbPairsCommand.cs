using System.CommandLine;
using RagTune.Application;
using RagTune.Retrieval.Pairs;
using RagTune.Training.Embeddings;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune kb pairs --kb &lt;dir&gt; --out pairs.jsonl [--kind all|title|inverse-cloze] [--max N] [--seed S]</c>: retriever
/// training pairs mined from a knowledge base (<see cref="RetrievalPairMiner"/>), in the JSONL <c>finetune --task embed</c> reads.
/// </summary>
public sealed class KbPairsCommand : ICliCommand
{
    /// <inheritdoc/>
    public string? Group => "kb";

    /// <inheritdoc/>
    public Command Build()
    {
        var kb = new Option<string>("--kb") { Description = "Knowledge-base folder.", Required = true };
        var output = new Option<string>("--out") { Description = "JSONL file to write ({\"query\", \"positive\"} per line).", Required = true };
        var kind = new Option<string>("--kind") { Description = "all, title (title → passage) or inverse-cloze (sentence → rest of passage).", DefaultValueFactory = _ => "all" };
        kind.AcceptOnlyFromAmong("all", "title", "inverse-cloze");
        var max = new Option<int>("--max") { Description = "At most this many pairs.", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<int>("--seed") { Description = "Seed for sentence choice and order.", DefaultValueFactory = _ => 42 };
        var command = new Command("pairs", "Mine retriever training pairs (title → passage, inverse cloze) from a knowledge base.") { kb, output, kind, max, seed };
        command.SetAction((ParseResult r) => CommandAction.Run(() =>
        {
            using var store = KnowledgeBases.OpenForReading(r.GetValue(kb)!);
            var k = r.GetValue(kind);
            var pairs = RetrievalPairMiner.Mine(store, titles: k is "all" or "title", inverseCloze: k is "all" or "inverse-cloze", r.GetValue(max), r.GetValue(seed));
            if (pairs.Count == 0)
                throw new UserFacingException($"no pairs could be mined from '{r.GetValue(kb)}' (documents need titles or chunks of three sentences or more).", ExitCode.BadInput);
            EmbeddingPair.WriteJsonl(r.GetValue(output)!, pairs.Select(p => new EmbeddingPair(p.Query, p.Positive)));
            r.InvocationConfiguration.Output.WriteLine($"{pairs.Count} pairs ({pairs.Count(p => p.Kind == "title")} title, {pairs.Count(p => p.Kind == "inverse-cloze")} inverse cloze) → {r.GetValue(output)}");
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error));
        return command;
    }
}
