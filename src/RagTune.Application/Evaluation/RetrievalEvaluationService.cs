using System.Diagnostics;
using RagTune.Evaluation.Retrieval;

namespace RagTune.Application;

/// <summary>
/// Retrieval quality on a BEIR-format dataset: nDCG@10, recall@10/@100 and MRR@10 as trec_eval computes them. Averaging
/// is trec_eval <c>-c</c>: every qrels query that has a text in the queries file counts, and one the retriever returns
/// nothing for scores 0.
/// </summary>
public static class RetrievalEvaluationService
{
    /// <summary>
    /// Runs the evaluation. Documents come from <paramref name="openRetriever"/> (knowledge base, mode) — by default
    /// <see cref="KnowledgeBaseRankedRetriever.Open"/> — which is disposed at the end. <paramref name="notes"/> hears
    /// about skipped queries and progress every 5 s.
    /// </summary>
    /// <exception cref="ServiceException">Missing arguments or files, malformed files, or queries and qrels that do not match.</exception>
    public static async Task<RetrievalEvaluationResult> RunAsync(RetrievalEvaluationRequest request,
        Func<string, RetrievalMode, IRankedRetriever>? openRetriever = null, IProgress<string>? notes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TopK <= 0) throw new ServiceException($"-k must be positive, got {request.TopK}.", ServiceErrorKind.BadArguments);
        if (request.RunIn is null && (request.KnowledgeBase is null || request.Queries is null))
            throw new ServiceException("--kb and --queries are required to retrieve; or pass --run <run.tsv> to evaluate an existing run.", ServiceErrorKind.BadArguments);

        var judgements = Read(() => Qrels.Load(request.Qrels));
        var stopwatch = Stopwatch.StartNew();
        RetrievalRun run;
        Qrels evaluated;
        RetrievalMode? mode = null;
        if (request.RunIn is not null)
        {
            run = Read(() => RetrievalRun.Load(request.RunIn));
            evaluated = judgements;
        }
        else
        {
            var texts = Read(() => BeirQueries.Load(request.Queries!)).ToDictionary(q => q.Id, q => q.Text, StringComparer.Ordinal);
            var asked = judgements.QueryIds.Where(texts.ContainsKey).ToList();
            var withoutText = judgements.QueryIds.Count - asked.Count;
            if (asked.Count == 0)
                throw new ServiceException($"No query id of '{request.Qrels}' appears in '{request.Queries}': are they from the same dataset and split?");
            if (withoutText > 0)
                notes?.Report($"note: {withoutText} qrels queries have no text in '{request.Queries}' and are not evaluated.");
            evaluated = new Qrels(asked.ToDictionary(q => q, q => judgements.For(q)!, StringComparer.Ordinal));
            mode = request.Mode ?? DefaultMode(request.KnowledgeBase!);
            var retriever = (openRetriever ?? ((kb, m) => KnowledgeBaseRankedRetriever.Open(kb, m)))(request.KnowledgeBase!, mode.Value);
            run = await RetrieveAsync(retriever, asked, texts, request.TopK, notes, cancellationToken);
        }
        if (request.RunOut is not null) run.Save(request.RunOut);
        return new RetrievalEvaluationResult(TrecEval.Evaluate(evaluated, run, completeAveraging: true), mode, stopwatch.Elapsed);
    }

    static RetrievalMode DefaultMode(string knowledgeBase)
    {
        using var kb = KnowledgeBases.OpenForReading(knowledgeBase);
        return RetrieverBuilder.DefaultMode(kb);
    }

    static async Task<RetrievalRun> RetrieveAsync(IRankedRetriever retriever, List<string> queryIds, Dictionary<string, string> texts, int k,
        IProgress<string>? notes, CancellationToken ct)
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
                    notes?.Report($"retrieved {i + 1}/{queryIds.Count} queries");
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

    static T Read<T>(Func<T> load)
    {
        try { return load(); }
        catch (FileNotFoundException e) { throw new ServiceException(e.Message, ServiceErrorKind.NotFound, e); }
        catch (InvalidDataException e) { throw new ServiceException(e.Message, ServiceErrorKind.BadInput, e); }
    }
}
