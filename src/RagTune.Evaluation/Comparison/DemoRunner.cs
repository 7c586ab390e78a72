using System.Diagnostics;
using Microsoft.Extensions.AI;
using RagTune.Models;
using RagTune.Models.Clients;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;
using RagTune.Training;
using RagTune.Training.Data;

namespace RagTune.Evaluation.Comparison;

/// <summary>
/// The built-in offline end-to-end run (<c>ragtune demo</c>), a seed of the base / RAG / fine-tuned comparison: it
/// generates a fictional domain, builds a tiny Llama-shaped base model and its tokenizer as a Hugging Face folder,
/// teaches it to read a context sentence (on invented pairings, not the domain's facts), then measures — each step
/// timed — the base model, RAG, fine-tuning, fine-tuning + RAG, and freshness after a knowledge update.
/// </summary>
public sealed class DemoRunner
{
    readonly DemoOptions _options;
    readonly Action<string> _log;
    readonly List<DemoStepTiming> _steps = [];
    string _outDir = "";

    /// <summary>The file that marks an output folder as the demo's own (so a re-run may replace its contents).</summary>
    public const string MarkerFileName = ".ragtune-demo";

    /// <summary>Creates a runner; <paramref name="log"/> receives progress lines.</summary>
    public DemoRunner(DemoOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TopK);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        _options = options;
        _log = log ?? (_ => { });
    }

    /// <summary>Runs every step and writes <c>report.json</c> and <c>chart.png</c> into the output folder.</summary>
    public async Task<DemoReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var o = _options;
        var outDir = _outDir = Path.GetFullPath(o.OutputDir);
        // The run replaces its own subfolders; a marker keeps it from deleting anything in a folder it did not make.
        var marker = Path.Combine(outDir, MarkerFileName);
        var ours = File.Exists(marker);   // only the marker grants deleting: a report.json alone may be a user's file
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !ours)
            throw new DemoOutputException($"'{outDir}' is not empty and was not made by the demo (no {MarkerFileName}). HINT: pass an empty or new folder with --out.");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(marker, "Written by ragtune demo; the demo may delete and rewrite this folder's contents.\n");
        foreach (var sub in new[] { "corpus", "models", "kb", "training" })
            if (Directory.Exists(Path.Combine(outDir, sub))) Directory.Delete(Path.Combine(outDir, sub), recursive: true);
        var corpusDir = Directory.CreateDirectory(Path.Combine(outDir, "corpus")).FullName;
        var baseDir = Path.Combine(outDir, "models", "base");
        var tunedDir = Path.Combine(outDir, "models", "finetuned");

        var domain = Step("generate domain", () =>
        {
            var d = SyntheticDomain.Generate(o.Seed, o.Domain);
            foreach (var doc in d.Documents) File.WriteAllText(Path.Combine(corpusDir, doc.FileName), doc.Text);
            return d;
        });
        _log($"domain: {domain.Facts.Count} facts in {domain.Documents.Count} documents ({corpusDir}); the update changes {domain.ChangedFacts.Count}");

        // Base model: random weights saved as a HF folder, then a short lesson in reading a context sentence.
        var vocab = DemoModelFactory.WriteTokenizer(baseDir, domain.AllText());
        var random = new Random(o.Seed);
        var reading = Step("build base model", () =>
        {
            using var init = DemoModelFactory.CreateBaseModel(baseDir, vocab, o);
            var (tok, tpl) = (TokenizerLoader.FromFolder(baseDir), ChatTemplate.FromFolder(baseDir)!);
            var lessons = Practice(domain, random, 2000).Select(p => DemoPrompts.Example(tok, tpl, DemoPrompts.OpenBook(p.Context, p.Question), p.Answer)).ToList();
            var stats = Train((ICausalLanguageModel)init, lessons, o.ReadingSteps, "reading", cancellationToken);
            ModelSaver.Save(init, baseDir);
            return stats;
        });

        // Everything below goes through the same services as the CLI verbs: a model folder, its tokenizer and chat
        // template, LocalChatClient (an IChatClient), the knowledge base and its retriever, the Trainer.
        var tokenizer = TokenizerLoader.FromFolder(baseDir);
        var template = ChatTemplate.FromFolder(baseDir) ?? throw new InvalidOperationException($"{baseDir}: no chat template.");
        var model = ModelLoader.LoadCausalLanguageModel(baseDir);
        using var client = LocalClientFactory.CreateChatClient(baseDir, model); // owns the model
        var parameters = model.Module.parameters().Sum(p => p.numel());
        _log($"base model: {parameters:N0} parameters, vocabulary {vocab} words ({baseDir})");

        var baseRun = await StepAsync("(a) base model answers", () => Ask(client, domain.Facts, null, null, cancellationToken));
        _log($"base: accuracy {baseRun.Accuracy:P0}");

        using var kb = KnowledgeBase.Open(Path.Combine(outDir, "kb"));
        var ingestor = new KnowledgeBaseIngestor(kb, chunker: new StructuredChunker(new ChunkingOptions { MaxTokens = 64, OverlapTokens = 0 }, new TokenizerTokenCounter(tokenizer)));
        var retriever = new LuceneBm25Retriever(kb);
        var ingestSeconds = await StepAsync("(b) ingest corpus", () => Ingest(ingestor, [corpusDir], cancellationToken));
        var recall = await StepAsync("(b) retrieval recall", () => Recall(retriever, domain.Facts, cancellationToken));
        var ragRun = await StepAsync("(b) RAG answers", () => Ask(client, domain.Facts, retriever, null, cancellationToken));
        _log($"RAG: recall@{o.TopK} {recall:P0}, accuracy {ragRun.Accuracy:P0}");

        var tuning = Step("(c) fine-tune on the facts", () =>
        {
            // Closed-book answers for every fact, mixed with reading lessons so the skill learnt before is kept.
            // Facts repeated so that half of every batch are facts and half fresh lessons (never the same few).
            const int repeat = 10;
            var facts = Enumerable.Repeat(domain.Facts, repeat).SelectMany(x => x)
                .Select(f => DemoPrompts.Example(tokenizer, template, DemoPrompts.ClosedBook(f.Question), f.Value));
            var lessons = Practice(domain, random, domain.Facts.Count * repeat).Select(p => DemoPrompts.Example(tokenizer, template, DemoPrompts.OpenBook(p.Context, p.Question), p.Answer));
            var stats = Train(model, facts.Concat(lessons).ToList(), o.FineTuneSteps, "fine-tune", cancellationToken);
            ModelSaver.Save(model, tunedDir);
            TokenizerFiles.Copy(baseDir, tunedDir);
            return stats;
        });
        var tunedRun = await StepAsync("(c) fine-tuned answers", () => Ask(client, domain.Facts, null, null, cancellationToken));
        _log($"fine-tuned: accuracy {tunedRun.Accuracy:P0} after {tuning.Seconds:F1} s ({tuning.TokensPerSecond:N0} tokens/s)");
        var tunedRagRun = await StepAsync("(d) fine-tuned + RAG answers", () => Ask(client, domain.Facts, retriever, null, cancellationToken));
        _log($"fine-tuned + RAG: accuracy {tunedRagRun.Accuracy:P0}");

        // (e) The knowledge update: changed files are re-ingested; the fine-tuned weights stay as they were.
        // The same folder is ingested again: unchanged files are skipped by their hash, changed ones replace their chunks.
        foreach (var doc in domain.UpdatedDocuments) File.WriteAllText(Path.Combine(corpusDir, doc.FileName), doc.Text);
        var updateSeconds = await StepAsync("(e) re-ingest changed documents", () => Ingest(ingestor, [corpusDir], cancellationToken));
        var stale = domain.Facts.ToDictionary(f => f.Id, f => f.Value);
        var changed = domain.ChangedFacts;
        var tunedAfter = await StepAsync("(e) fine-tuned after update", () => Ask(client, changed, null, stale, cancellationToken));
        var tunedRagAfter = await StepAsync("(e) fine-tuned + RAG after update", () => Ask(client, changed, retriever, stale, cancellationToken));

        // The base model again (RAG over the updated knowledge base needs no training at all).
        using var baseClient = LocalClientFactory.CreateChatClient(baseDir);
        var baseAfter = await StepAsync("(e) base after update", () => Ask(baseClient, changed, null, stale, cancellationToken));
        var ragAfter = await StepAsync("(e) RAG after update", () => Ask(baseClient, changed, retriever, stale, cancellationToken));
        _log($"after the update, on the {changed.Count} changed facts: RAG {ragAfter.Accuracy:P0}, fine-tuned {tunedAfter.Accuracy:P0} (stale {tunedAfter.StaleRate:P0})");

        var systems = new List<DemoSystemResult>
        {
            Result("base", "base model, closed book", baseRun, baseAfter, null, 0, null),
            Result("rag", $"base model reading the best sentence of the top-{o.TopK} chunks (Lucene BM25)", ragRun, ragAfter, recall, 0, updateSeconds),
            Result("fine-tuned", "fine-tuned model, closed book", tunedRun, tunedAfter, null, tuning.Seconds, null),
            Result("fine-tuned+rag", "fine-tuned model reading the retrieved sentence", tunedRagRun, tunedRagAfter, recall, tuning.Seconds, updateSeconds),
        };
        var report = new DemoReport
        {
            Seed = o.Seed,
            Facts = domain.Facts.Count,
            Documents = domain.Documents.Count,
            ChangedFacts = changed.Count,
            ChangedDocuments = domain.UpdatedDocuments.Count,
            VocabSize = vocab,
            Parameters = parameters,
            TopK = o.TopK,
            ReadingTrainingSeconds = reading.Seconds,
            FineTuneTokensPerSecond = tuning.TokensPerSecond,
            IngestSeconds = ingestSeconds,
            PeakWorkingSetMb = PeakWorkingSetMb(),
            Steps = _steps,
            Systems = systems,
            Notes = Notes(),
        };
        DemoReportWriter.Write(report, outDir);
        _log($"report: {Path.Combine(outDir, DemoReportWriter.JsonFileName)}, chart: {Path.Combine(outDir, DemoReportWriter.ChartFileName)}");
        return report;
    }

    /// <summary>Per-question outcome of one system on one question set.</summary>
    sealed record Run(double Accuracy, double StaleRate, IReadOnlyList<double> LatenciesMs);

    async Task<Run> Ask(IChatClient client, IReadOnlyList<DomainFact> facts, IChunkRetriever? retriever,
        IReadOnlyDictionary<string, string>? staleValues, CancellationToken cancellationToken)
    {
        int correct = 0, stale = 0;
        var latencies = new List<double>();
        foreach (var fact in facts)
        {
            var watch = Stopwatch.StartNew();
            var messages = retriever is null
                ? DemoPrompts.ClosedBook(fact.Question)
                : DemoPrompts.OpenBook(ContextSelector.Select(fact.Question, await Retrieve(retriever, fact.Question, cancellationToken)), fact.Question);
            var response = await client.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = 8, Temperature = 0 }, cancellationToken);
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            if (DemoPrompts.IsCorrect(response.Text, fact.Value)) correct++;
            else if (staleValues is not null && DemoPrompts.IsCorrect(response.Text, staleValues[fact.Id])) stale++;
        }
        return facts.Count == 0 ? new Run(0, 0, latencies) : new Run((double)correct / facts.Count, (double)stale / facts.Count, latencies);
    }

    static DemoSystemResult Result(string name, string description, Run before, Run after, double? recall, double trainingSeconds, double? updateSeconds)
    {
        var latencies = before.LatenciesMs.Concat(after.LatenciesMs).Order().ToList();
        return new DemoSystemResult
        {
            Name = name,
            Description = description,
            Accuracy = before.Accuracy,
            UpdatedAccuracy = after.Accuracy,
            StaleRate = after.StaleRate,
            RetrievalRecall = recall,
            MeanLatencyMs = latencies.Count == 0 ? 0 : latencies.Average(),
            P95LatencyMs = latencies.Count == 0 ? 0 : latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(0.95 * latencies.Count) - 1)],
            TrainingSeconds = trainingSeconds,
            UpdateSeconds = updateSeconds,
        };
    }

    /// <summary>Reading lessons: a statement with an invented value and its question; the answer is that value.</summary>
    static IEnumerable<(string Context, string Question, string Answer)> Practice(SyntheticDomain domain, Random random, int count)
    {
        var subjects = SyntheticDomain.AttributeNames.ToDictionary(a => a, a => domain.Facts.Where(f => f.Attribute == a).Select(f => f.Subject).ToList());
        var attributes = SyntheticDomain.AttributeNames.Where(a => subjects[a].Count > 0).ToList();
        for (var i = 0; i < count; i++)
        {
            var attribute = attributes[random.Next(attributes.Count)];
            var subject = subjects[attribute][random.Next(subjects[attribute].Count)];
            var value = domain.ValuePools[attribute][random.Next(domain.ValuePools[attribute].Count)];
            yield return (SyntheticDomain.Statement(attribute, subject, value), SyntheticDomain.Question(attribute, subject), value);
        }
    }

    /// <summary>What a training run cost.</summary>
    sealed record TrainingCost(double Seconds, double TokensPerSecond);

    TrainingCost Train(ICausalLanguageModel model, IReadOnlyList<TrainingExample> data, int steps, string what, CancellationToken cancellationToken)
    {
        var o = _options;
        var every = Math.Max(1, steps / 5);
        var trainer = new Trainer(model.Module, batch => model.Forward(batch.InputIds, batch.AttentionMask), new TrainerOptions
        {
            OutputDir = Path.Combine(_outDir, "training", what),
            MaxSteps = steps,
            BatchSize = o.BatchSize,
            LearningRate = o.LearningRate,
            // Memorising facts is the goal here, so nothing pulls the weights back towards zero.
            WeightDecay = 0,
            Seed = o.Seed,
            PadTokenId = DemoModelFactory.SpecialTokens.ToList().IndexOf("<pad>"),
            LogEvery = every,
            KeepCheckpoints = 1,
        })
        {
            OnProgress = p => { if (p.Eval is null) _log($"  {what} step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} ({p.TokensPerSecond:N0} tokens/s)"); },
        };
        var watch = Stopwatch.StartNew();
        trainer.Train(data, cancellationToken: cancellationToken);
        model.Module.eval();
        var seconds = watch.Elapsed.TotalSeconds;
        // Every step sees BatchSize examples; padding is not counted.
        var tokens = (double)steps * o.BatchSize * data.Average(e => e.InputIds.Length);
        return new TrainingCost(seconds, tokens / seconds);
    }

    static async Task<double> Ingest(KnowledgeBaseIngestor ingestor, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var summary = await ingestor.IngestAsync(paths, cancellationToken: cancellationToken);
        if (summary.Errors.Count > 0)
            throw new InvalidOperationException($"ingest failed: {string.Join("; ", summary.Errors.Select(e => e.ToString()))}");
        return watch.Elapsed.TotalSeconds;
    }

    async Task<IEnumerable<string>> Retrieve(IChunkRetriever retriever, string question, CancellationToken cancellationToken) =>
        (await retriever.RetrieveAsync(question, new RetrievalOptions { TopK = _options.TopK }, cancellationToken)).Select(c => c.Chunk.Text);

    async Task<double> Recall(IChunkRetriever retriever, IReadOnlyList<DomainFact> facts, CancellationToken cancellationToken)
    {
        var hits = 0;
        foreach (var fact in facts)
            if ((await Retrieve(retriever, fact.Question, cancellationToken)).Any(text => text.Contains(fact.Statement, StringComparison.Ordinal))) hits++;
        return facts.Count == 0 ? 0 : (double)hits / facts.Count;
    }

    static List<string> Notes() =>
    [
        "RAG hands the model the best-matching sentence of the retrieved chunks; the model reads the answer out of it (a skill taught on invented pairings).",
        "The demo's prompt is its own (context: … question: …), not the grounded-answer prompt with numbered sources: a model this small cannot follow that.",
        "Fine-tuning is measured on the questions it was trained on (memorisation), as knowledge injection is.",
    ];

    T Step<T>(string name, Func<T> action)
    {
        _log($"{name} …");
        var watch = Stopwatch.StartNew();
        var result = action();
        _steps.Add(new DemoStepTiming(name, watch.Elapsed.TotalSeconds));
        return result;
    }

    async Task<T> StepAsync<T>(string name, Func<Task<T>> action)
    {
        _log($"{name} …");
        var watch = Stopwatch.StartNew();
        var result = await action();
        _steps.Add(new DemoStepTiming(name, watch.Elapsed.TotalSeconds));
        return result;
    }

    static double PeakWorkingSetMb()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
