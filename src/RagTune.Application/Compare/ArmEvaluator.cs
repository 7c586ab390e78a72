using System.Diagnostics;
using Microsoft.Extensions.AI;
using RagTune.Evaluation.Compare.Metrics;
using RagTune.Evaluation.Compare.Reports;
using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Generation;
using RagTune.Retrieval.Retrieval;

namespace RagTune.Application.Compare;

/// <summary>
/// Answers every item with one arm's model and scores it. Generated answers go through an <see cref="IChatClient"/>
/// (the engine's local client or an OpenAI-compatible server); retrieval arms answer through the product's
/// <see cref="GroundedAnswerGenerator"/> (numbered sources, citations, abstention), exactly as <c>ragtune ask</c>.
/// Multiple choice scores options by log-likelihood (<see cref="OptionScorer"/>).
/// </summary>
internal sealed class ArmEvaluator
{
    public required string Task { get; init; }
    public required IChatClient? Chat { get; init; }
    public OptionScorer? Scorer { get; init; }
    public RecordingRetriever? Retriever { get; init; }
    public required GroundedAnswerOptions Grounded { get; init; }
    public required ITokenCounter Counter { get; init; }
    public required int MaxNewTokens { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    /// <summary>classify + rag: nearest labelled training examples.</summary>
    public Func<string, CancellationToken, Task<IReadOnlyList<(string Text, string Label)>>>? Examples { get; init; }

    public async Task<List<ItemResult>> EvaluateAsync(IReadOnlyList<CompareItem> items, string step, IProgress<CompareProgress>? progress, CancellationToken ct)
    {
        var results = new List<ItemResult>();
        await WarmUpAsync(ct);
        foreach (var item in items)
        {
            ct.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            ItemResult result;
            try
            {
                result = Task switch
                {
                    "multiple-choice" => await ChoiceAsync(item, ct),
                    "classify" => await ClassifyAsync(item, ct),
                    _ => await GenerateAsync(item, ct),
                };
            }
            catch (ArgumentException e) when (e.ParamName == "question")
            {
                throw new CompareConfigException($"{step}: item '{item.Id}': {e.Message} HINT: raise retrieval.context_tokens (within the model's maximum) or shorten the item.", e);
            }
            results.Add(result with { LatencyMs = watch.Elapsed.TotalMilliseconds });
            if (results.Count % 10 == 0 || results.Count == items.Count)
                progress?.Report(new CompareProgress(step, "answering", results.Count, items.Count));
        }
        return results;
    }

    async Task<ItemResult> GenerateAsync(CompareItem item, CancellationToken ct)
    {
        string prediction;
        var scores = new Dictionary<string, double>();
        int promptTokens;
        if (Retriever is not null)
        {
            var question = Task == "summarize" ? "Summarize: " + item.Input : item.Input;
            var answer = await new GroundedAnswerGenerator(Retriever, Chat!, Grounded).AskAsync(question, ct);
            prediction = answer.Text;
            var sources = answer.Sources.Select(s => s.Retrieved).ToList();
            promptTokens = new GroundedPromptBuilder(Grounded).Build(question, sources).PromptTokens;
            if (item.Documents.Count > 0) scores[$"recall@{Grounded.Retrieval.TopK}"] = Retriever.Last.Any(r => item.Documents.Any(gold => IsDocument(r, gold))) ? 1 : 0;
            if (!answer.Abstained)
            {
                var f = Faithfulness.Score(prediction, string.Join("\n", answer.Sources.Select(s => s.Text)));
                if (!double.IsNaN(f)) scores["faithfulness"] = f;
                var cited = answer.Citations.Select(c => answer.Sources.FirstOrDefault(s => s.Number == c.Number)?.Text).OfType<string>().ToList();
                var cp = Faithfulness.CitationPrecision(cited, item.Answers);
                if (!double.IsNaN(cp)) scores["citation_precision"] = cp;
            }
        }
        else
        {
            var messages = Task == "summarize" ? ComparePrompts.Summarize(item.Input) : ComparePrompts.ClosedBook(item.Input);
            prediction = (await Chat!.GetResponseAsync(messages, Options(), ct)).Text.Trim();
            promptTokens = Count(messages);
        }
        double? score;
        if (Task == "summarize")
            score = scores["rouge_l"] = RougeL.F(prediction, item.Answers);
        else if (item.Unanswerable)
        {
            var abstained = QaMetrics.IsAbstention(prediction);
            scores["abstention_rate"] = abstained ? 1 : 0;
            scores["hallucination_rate"] = abstained ? 0 : 1;
            score = abstained ? 1 : 0;   // the right answer to an unanswerable question is to decline
        }
        else
        {
            score = scores["exact_match"] = QaMetrics.ExactMatch(prediction, item.Answers);
            scores["f1"] = QaMetrics.F1(prediction, item.Answers);
        }
        return new ItemResult { Id = item.Id, Prediction = prediction, Score = score, Scores = scores, PromptTokens = promptTokens };
    }

    async Task<ItemResult> ChoiceAsync(CompareItem item, CancellationToken ct)
    {
        IReadOnlyList<ChatMessage> messages = ComparePrompts.ClosedBook(item.Input);
        var scores = new Dictionary<string, double>();
        if (Retriever is not null)
        {
            var retrieved = await Retriever.RetrieveAsync(item.Input, Grounded.Retrieval, ct);
            messages = new GroundedPromptBuilder(Grounded).Build(item.Input, retrieved).Messages;
            if (item.Documents.Count > 0) scores[$"recall@{Grounded.Retrieval.TopK}"] = retrieved.Any(r => item.Documents.Any(gold => IsDocument(r, gold))) ? 1 : 0;
        }
        var logLikelihoods = Scorer!.Score(messages, item.Options);
        var acc = ArgMax(logLikelihoods);
        var norm = ArgMax(logLikelihoods.Select((l, i) => l / Math.Max(1, System.Text.Encoding.UTF8.GetByteCount(item.Options[i]))).ToList());
        scores["acc"] = acc == item.AnswerIndex ? 1 : 0;
        scores["acc_norm"] = norm == item.AnswerIndex ? 1 : 0;
        return new ItemResult { Id = item.Id, Prediction = item.Options[acc], Score = scores["acc"], Scores = scores, PromptTokens = Count(messages) };
    }

    async Task<ItemResult> ClassifyAsync(CompareItem item, CancellationToken ct)
    {
        var messages = Examples is null
            ? ComparePrompts.Classify(item.Input, Labels)
            : ComparePrompts.ClassifyWithExamples(item.Input, Labels, await Examples(item.Input, ct));
        var output = (await Chat!.GetResponseAsync(messages, Options(), ct)).Text.Trim();
        var label = ClassificationMetrics.MatchLabel(output, Labels);
        var correct = label == item.Label ? 1.0 : 0.0;
        return new ItemResult
        {
            Id = item.Id, Prediction = label.Length > 0 ? label : "(no label) " + output, Score = correct, Gold = item.Label,
            Scores = new() { ["accuracy"] = correct }, PromptTokens = Count(messages),
        };
    }

    /// <summary>One untimed call first, so the first item's latency is not the JIT's and the model's first-touch cost.</summary>
    async Task WarmUpAsync(CancellationToken ct)
    {
        if (Scorer is not null) Scorer.Score(ComparePrompts.ClosedBook("warm up"), ["up"]);
        else if (Chat is not null) await Chat.GetResponseAsync(ComparePrompts.ClosedBook("warm up"), new ChatOptions { MaxOutputTokens = 1, Temperature = 0 }, ct);
    }

    ChatOptions Options() => new() { MaxOutputTokens = MaxNewTokens, Temperature = 0 };

    int Count(IEnumerable<ChatMessage> messages) => messages.Sum(m => Counter.Count(m.Text) + Grounded.TemplateTokensPerMessage);

    static int ArgMax(IReadOnlyList<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Count; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>Whether a retrieved chunk comes from the gold document (id, file name, file stem or path suffix).</summary>
    public static bool IsDocument(RetrievedChunk chunk, string gold)
    {
        var c = chunk.Chunk;
        var g = gold.Replace('\\', '/');
        var path = c.SourcePath.Replace('\\', '/');
        return c.DocumentId == gold || Path.GetFileName(path) == g || Path.GetFileNameWithoutExtension(path) == g ||
               path.EndsWith("/" + g, StringComparison.Ordinal) || c.DocumentId.EndsWith("#" + gold, StringComparison.Ordinal);
    }
}
