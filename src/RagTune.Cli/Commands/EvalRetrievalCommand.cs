using System.CommandLine;
using System.Globalization;
using RagTune.Application;
using RagTune.Evaluation.Retrieval;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune eval retrieval</c>: runs every judged query of a BEIR dataset through a knowledge base's retriever
/// (or reads an existing run with <c>--run</c>) and prints nDCG@10, recall@10, recall@100 and MRR@10 computed as
/// trec_eval does (<see cref="TrecEval"/>). Averaging is trec_eval <c>-c</c>: every qrels query that has a text in
/// the queries file counts, and one the retriever returns nothing for scores 0 (<see cref="RetrievalEvaluationService"/>).
/// </summary>
public sealed class EvalRetrievalCommand : ICliCommand
{
    /// <summary>Opens the retriever of a knowledge base for a mode (bm25, dense, hybrid).</summary>
    internal delegate IRankedRetriever RetrieverFactory(string knowledgeBase, string mode);

    readonly RetrieverFactory _openRetriever;

    /// <summary>The verb as the CLI builds it: retrieval from the knowledge base store.</summary>
    public EvalRetrievalCommand() : this(OpenKnowledgeBaseRetriever) { }

    /// <summary>With another retriever source (tests).</summary>
    internal EvalRetrievalCommand(RetrieverFactory openRetriever) => _openRetriever = openRetriever;

    /// <inheritdoc/>
    public string? Group => "eval";

    /// <inheritdoc/>
    public Command Build()
    {
        var kb = new Option<string>("--kb") { Description = "Knowledge-base folder to retrieve from (not needed with --run)." };
        var queries = new Option<string>("--queries") { Description = "BEIR queries.jsonl ({\"_id\", \"text\"} per line)." };
        var qrels = new Option<string>("--qrels") { Description = "Qrels: BEIR TSV 'query-id corpus-id score' with a header line (or TREC 4-column).", Required = true };
        var mode = CommandOptions.Mode("Retriever: bm25, dense or hybrid (default: hybrid when the knowledge base has embeddings, else bm25, as search).");
        var k = new Option<int>("-k", "--top-k") { Description = "Documents retrieved per query (recall@100 needs ≥ 100).", DefaultValueFactory = _ => 100 };
        var runOut = new Option<string>("--run-out") { Description = "Write the run as 'qid<TAB>docid<TAB>score' lines." };
        var runIn = new Option<string>("--run") { Description = "Evaluate this run file instead of retrieving (3-column TSV or TREC 6-column)." };
        var json = new Option<bool>("--json") { Description = "Print only JSON on stdout (progress and notes go to stderr)." };
        var perQuery = new Option<bool>("--per-query") { Description = "Also print each query's values (as trec_eval -q)." };

        var command = new Command("retrieval", "Retrieval quality on a BEIR-format dataset: nDCG@10, recall@10/@100, MRR@10 (trec_eval-compatible).")
        {
            kb, queries, qrels, mode, k, runOut, runIn, json, perQuery,
        };
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(async () =>
        {
            var output = CliOutput.For(r);
            var request = new RetrievalEvaluationRequest
            {
                KnowledgeBase = r.GetValue(kb), Queries = r.GetValue(queries), Qrels = r.GetValue(qrels)!, Mode = CommandOptions.ModeValue(r.GetValue(mode)),
                TopK = r.GetValue(k), RunOut = r.GetValue(runOut), RunIn = r.GetValue(runIn),
            };
            var result = await RetrievalEvaluationService.RunAsync(request, (folder, m) => _openRetriever(folder, m.Name()), output.Notes, ct);
            var settings = new Settings(request.RunIn, result.Mode?.Name(), request.TopK, r.GetValue(perQuery));
            if (r.GetValue(json)) WriteJson(output, settings, result.Evaluation, result.Elapsed);
            else WriteTable(output, settings, result.Evaluation, result.Elapsed);
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error, ct));
        return command;
    }

    sealed record Settings(string? RunIn, string? Mode, int K, bool PerQuery);

    static void WriteTable(CliOutput output, Settings s, RetrievalEvaluation result, TimeSpan elapsed)
    {
        var source = s.RunIn is not null ? $"run {s.RunIn}" : $"{s.Mode}, k={s.K}";
        output.Line($"retrieval evaluation ({source}): {result.QueryCount} queries, {elapsed.TotalSeconds:F1} s");
        var m = result.Mean;
        foreach (var (name, value) in new[] { ("nDCG@10", m.NdcgAt10), ("recall@10", m.RecallAt10), ("recall@100", m.RecallAt100), ("MRR@10", m.MrrAt10) })
            output.Line(string.Create(CultureInfo.InvariantCulture, $"  {name,-11}{value:F4}"));
        if (!s.PerQuery) return;
        output.Line("query\tnDCG@10\trecall@10\trecall@100\tMRR@10");
        foreach (var q in result.PerQuery)
            output.Line(string.Create(CultureInfo.InvariantCulture,
                $"{q.QueryId}\t{q.Metrics.NdcgAt10:F4}\t{q.Metrics.RecallAt10:F4}\t{q.Metrics.RecallAt100:F4}\t{q.Metrics.MrrAt10:F4}"));
    }

    static void WriteJson(CliOutput output, Settings s, RetrievalEvaluation result, TimeSpan elapsed)
    {
        var m = result.Mean;
        var payload = new Dictionary<string, object?>
        {
            ["mode"] = s.RunIn is null ? s.Mode : null,
            ["k"] = s.RunIn is null ? s.K : null,
            ["run"] = s.RunIn,
            ["queries"] = result.QueryCount,
            ["completeAveraging"] = result.CompleteAveraging,
            ["ndcg@10"] = m.NdcgAt10,
            ["recall@10"] = m.RecallAt10,
            ["recall@100"] = m.RecallAt100,
            ["mrr@10"] = m.MrrAt10,
            ["seconds"] = Math.Round(elapsed.TotalSeconds, 3),
        };
        if (s.PerQuery)
            payload["perQuery"] = result.PerQuery.Select(q => new Dictionary<string, object>
            {
                ["id"] = q.QueryId, ["ndcg@10"] = q.Metrics.NdcgAt10, ["recall@10"] = q.Metrics.RecallAt10,
                ["recall@100"] = q.Metrics.RecallAt100, ["mrr@10"] = q.Metrics.MrrAt10, ["relevant"] = q.RelevantCount,
            }).ToList();
        output.Json(payload);
    }

    /// <summary>The knowledge-base retriever: documents ranked by their best chunk under bm25, dense or hybrid.</summary>
    static IRankedRetriever OpenKnowledgeBaseRetriever(string knowledgeBase, string mode) =>
        KnowledgeBaseRankedRetriever.Open(knowledgeBase, RetrievalModes.Parse(mode));
}
