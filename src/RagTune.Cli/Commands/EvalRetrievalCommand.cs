using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RagTune.Evaluation.Retrieval;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune eval retrieval</c>: runs every judged query of a BEIR dataset through a knowledge base's retriever
/// (or reads an existing run with <c>--run</c>) and prints nDCG@10, recall@10, recall@100 and MRR@10 computed as
/// trec_eval does (<see cref="TrecEval"/>). Averaging is trec_eval <c>-c</c>: every qrels query that has a text in
/// the queries file counts, and one the retriever returns nothing for scores 0.
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
        var mode = new Option<string>("--mode") { Description = "Retriever: bm25, dense or hybrid (default: hybrid when the knowledge base has embeddings, else bm25, as search)." };
        mode.AcceptOnlyFromAmong(Rag.RetrieverFactory.Modes);
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
            var output = r.InvocationConfiguration.Output;
            var error = r.InvocationConfiguration.Error;
            var settings = new Settings(r.GetValue(kb), r.GetValue(queries), r.GetValue(qrels)!, r.GetValue(mode),
                r.GetValue(k), r.GetValue(runOut), r.GetValue(runIn), r.GetValue(json), r.GetValue(perQuery));
            return await RunAsync(settings, output, error, ct);
        }, r.InvocationConfiguration.Error, ct));
        return command;
    }

    sealed record Settings(string? Kb, string? Queries, string Qrels, string? Mode, int K, string? RunOut, string? RunIn, bool Json, bool PerQuery);

    async Task<ExitCode> RunAsync(Settings s, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (s.K <= 0) throw new UserFacingException($"-k must be positive, got {s.K}.", ExitCode.BadArguments);
        if (s.RunIn is null && (s.Kb is null || s.Queries is null))
            throw new UserFacingException("--kb and --queries are required to retrieve; or pass --run <run.tsv> to evaluate an existing run.", ExitCode.BadArguments);

        var judgements = Read(() => Qrels.Load(s.Qrels));
        var stopwatch = Stopwatch.StartNew();
        RetrievalRun run;
        Qrels evaluated;
        if (s.RunIn is not null)
        {
            run = Read(() => RetrievalRun.Load(s.RunIn));
            evaluated = judgements;
        }
        else
        {
            var texts = Read(() => BeirQueries.Load(s.Queries!)).ToDictionary(q => q.Id, q => q.Text, StringComparer.Ordinal);
            var asked = judgements.QueryIds.Where(texts.ContainsKey).ToList();
            var withoutText = judgements.QueryIds.Count - asked.Count;
            if (asked.Count == 0)
                throw new UserFacingException($"No query id of '{s.Qrels}' appears in '{s.Queries}': are they from the same dataset and split?");
            if (withoutText > 0)
                error.WriteLine($"note: {withoutText} qrels queries have no text in '{s.Queries}' and are not evaluated.");
            evaluated = Restrict(judgements, asked);
            s = s with { Mode = s.Mode ?? DefaultMode(s.Kb!) };
            run = await RetrieveAsync(_openRetriever(s.Kb!, s.Mode), asked, texts, s.K, error, ct);
        }
        if (s.RunOut is not null) run.Save(s.RunOut);

        var result = TrecEval.Evaluate(evaluated, run, completeAveraging: true);
        if (s.Json) WriteJson(output, s, result, stopwatch.Elapsed);
        else WriteTable(output, s, result, stopwatch.Elapsed);
        return ExitCode.Ok;
    }

    static async Task<RetrievalRun> RetrieveAsync(IRankedRetriever retriever, List<string> queryIds,
        Dictionary<string, string> texts, int k, TextWriter error, CancellationToken ct)
    {
        var run = new RetrievalRun();
        try
        {
            var progress = Stopwatch.StartNew();
            for (var i = 0; i < queryIds.Count; i++)
            {
                var hits = await retriever.RetrieveAsync(texts[queryIds[i]], k, ct);
                // Chunk-level retrievers may repeat a document; trec_eval rejects duplicates, so keep the first (best).
                var seen = new HashSet<string>(StringComparer.Ordinal);
                run.AddRange(queryIds[i], hits.Where(h => seen.Add(h.DocId)).Take(k));
                if (progress.Elapsed.TotalSeconds >= 5)
                {
                    error.WriteLine($"retrieved {i + 1}/{queryIds.Count} queries");
                    progress.Restart();
                }
            }
        }
        finally
        {
            if (retriever is IAsyncDisposable ad) await ad.DisposeAsync();
            else (retriever as IDisposable)?.Dispose();
        }
        return run;
    }

    static Qrels Restrict(Qrels qrels, IEnumerable<string> queryIds) =>
        new(queryIds.ToDictionary(q => q, q => qrels.For(q)!, StringComparer.Ordinal));

    static T Read<T>(Func<T> load)
    {
        try { return load(); }
        catch (FileNotFoundException e) { throw new UserFacingException(e.Message, ExitCode.NotFound, e); }
        catch (InvalidDataException e) { throw new UserFacingException(e.Message, ExitCode.BadInput, e); }
    }

    static void WriteTable(TextWriter output, Settings s, RetrievalEvaluation result, TimeSpan elapsed)
    {
        var source = s.RunIn is not null ? $"run {s.RunIn}" : $"{s.Mode}, k={s.K}";
        output.WriteLine($"retrieval evaluation ({source}): {result.QueryCount} queries, {elapsed.TotalSeconds:F1} s");
        var m = result.Mean;
        foreach (var (name, value) in new[] { ("nDCG@10", m.NdcgAt10), ("recall@10", m.RecallAt10), ("recall@100", m.RecallAt100), ("MRR@10", m.MrrAt10) })
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-11}{value:F4}"));
        if (!s.PerQuery) return;
        output.WriteLine("query\tnDCG@10\trecall@10\trecall@100\tMRR@10");
        foreach (var q in result.PerQuery)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{q.QueryId}\t{q.Metrics.NdcgAt10:F4}\t{q.Metrics.RecallAt10:F4}\t{q.Metrics.RecallAt100:F4}\t{q.Metrics.MrrAt10:F4}"));
    }

    static void WriteJson(TextWriter output, Settings s, RetrievalEvaluation result, TimeSpan elapsed)
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
        output.WriteLine(JsonSerializer.Serialize(payload));
    }

    /// <summary>search's rule: hybrid when the knowledge base has embeddings, else bm25.</summary>
    static string DefaultMode(string knowledgeBase)
    {
        using var kb = Rag.KnowledgeBases.OpenForReading(knowledgeBase);
        return kb.EmbeddingModel is null ? "bm25" : "hybrid";
    }

    /// <summary>The knowledge-base retriever: documents ranked by their best chunk under bm25, dense or hybrid.</summary>
    static IRankedRetriever OpenKnowledgeBaseRetriever(string knowledgeBase, string mode) =>
        Rag.KnowledgeBaseRankedRetriever.Open(knowledgeBase, mode);
}
