using System.Diagnostics;
using Microsoft.Extensions.AI;
using RagTune.Models;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;

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
        // A model this small gains nothing from intra-op threads, and on a shared CPU their spin-waiting costs a lot.
        var threads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(1);
        try { return await RunCoreAsync(cancellationToken); }
        finally { TorchSharp.torch.set_num_threads(threads); }
    }

    async Task<DemoReport> RunCoreAsync(CancellationToken cancellationToken)
    {
        var o = _options;
        var outDir = Path.GetFullPath(o.OutputDir);
        foreach (var sub in new[] { "corpus", "models", "kb" })
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

        // Everything below goes through the same services as the CLI: a model folder, its tokenizer and an IChatClient.
        using var model = ModelLoader.LoadCausalLanguageModel(baseDir);
        var tokenizer = TokenizerLoader.FromFolder(baseDir);
        var template = ChatTemplate.FromFolder(baseDir) ?? throw new InvalidOperationException($"{baseDir}: no chat template.");
        var parameters = model.Module.parameters().Sum(p => p.numel());
        _log($"base model: {parameters:N0} parameters, vocabulary {vocab} words ({baseDir})");
        using var client = CreateChatClient(model, tokenizer, template);

        var baseRun = await StepAsync("(a) base model answers", () => Ask(client, domain.Facts, null, null, cancellationToken));
        _log($"base: accuracy {baseRun.Accuracy:P0}");

        var kb = new StandInBm25Index();
        var ingestSeconds = Step("(b) ingest corpus", () => Ingest(kb, Directory.GetFiles(corpusDir, "*.md")));
        var recall = Step("(b) retrieval recall", () => domain.Facts.Average(f => kb.Search(f.Question, o.TopK).Any(c => c.Text.Contains(f.Statement)) ? 1.0 : 0.0));
        var ragRun = await StepAsync("(b) RAG answers", () => Ask(client, domain.Facts, kb, null, cancellationToken));
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
            foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" })
                File.Copy(Path.Combine(baseDir, file), Path.Combine(tunedDir, file), overwrite: true);
            return stats;
        });
        var tunedRun = await StepAsync("(c) fine-tuned answers", () => Ask(client, domain.Facts, null, null, cancellationToken));
        _log($"fine-tuned: accuracy {tunedRun.Accuracy:P0} after {tuning.Seconds:F1} s ({tuning.TokensPerSecond:N0} tokens/s)");
        var tunedRagRun = await StepAsync("(d) fine-tuned + RAG answers", () => Ask(client, domain.Facts, kb, null, cancellationToken));
        _log($"fine-tuned + RAG: accuracy {tunedRagRun.Accuracy:P0}");

        // (e) The knowledge update: changed files are re-ingested; the fine-tuned weights stay as they were.
        var updateSeconds = Step("(e) re-ingest changed documents", () =>
        {
            foreach (var doc in domain.UpdatedDocuments) File.WriteAllText(Path.Combine(corpusDir, doc.FileName), doc.Text);
            return Ingest(kb, domain.UpdatedDocuments.Select(d => Path.Combine(corpusDir, d.FileName)));
        });
        var stale = domain.Facts.ToDictionary(f => f.Id, f => f.Value);
        var changed = domain.ChangedFacts;
        var tunedAfter = await StepAsync("(e) fine-tuned after update", () => Ask(client, changed, null, stale, cancellationToken));
        var tunedRagAfter = await StepAsync("(e) fine-tuned + RAG after update", () => Ask(client, changed, kb, stale, cancellationToken));
        model.Dispose();

        // The base model again (RAG over the updated knowledge base needs no training at all).
        using var baseAgain = ModelLoader.LoadCausalLanguageModel(baseDir);
        using var baseClient = CreateChatClient(baseAgain, tokenizer, template);
        var baseAfter = await StepAsync("(e) base after update", () => Ask(baseClient, changed, null, stale, cancellationToken));
        var ragAfter = await StepAsync("(e) RAG after update", () => Ask(baseClient, changed, kb, stale, cancellationToken));
        _log($"after the update, on the {changed.Count} changed facts: RAG {ragAfter.Accuracy:P0}, fine-tuned {tunedAfter.Accuracy:P0} (stale {tunedAfter.StaleRate:P0})");

        var systems = new List<DemoSystemResult>
        {
            Result("base", "base model, closed book", baseRun, baseAfter, null, 0, null),
            Result("rag", $"base model reading the best sentence of the top-{o.TopK} BM25 chunks", ragRun, ragAfter, recall, 0, updateSeconds),
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

    async Task<Run> Ask(IChatClient client, IReadOnlyList<DomainFact> facts, StandInBm25Index? kb,
        IReadOnlyDictionary<string, string>? staleValues, CancellationToken cancellationToken)
    {
        int correct = 0, stale = 0;
        var latencies = new List<double>();
        foreach (var fact in facts)
        {
            var watch = Stopwatch.StartNew();
            var messages = kb is null
                ? DemoPrompts.ClosedBook(fact.Question)
                : DemoPrompts.OpenBook(ContextSelector.Select(fact.Question, kb.Search(fact.Question, _options.TopK).Select(c => c.Text)), fact.Question);
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

    StandInTrainer.Stats Train(ICausalLanguageModel model, IReadOnlyList<(int[] InputIds, int[] Labels)> data, int steps, string what, CancellationToken cancellationToken)
    {
        var every = Math.Max(1, steps / 5);
        return StandInTrainer.Train(model, data, steps, _options.BatchSize, _options.LearningRate, _options.Seed, padId: 1,
            (step, loss) => { if (step % every == 0 || step == steps) _log($"  {what} step {step}/{steps} loss {loss:F3}"); },
            cancellationToken);
    }

    static IChatClient CreateChatClient(ICausalLanguageModel model, ITokenizer tokenizer, ChatTemplate template) =>
        new StandInGreedyChatClient(model, tokenizer, template);

    static double Ingest(StandInBm25Index kb, IEnumerable<string> files)
    {
        var watch = Stopwatch.StartNew();
        foreach (var file in files) kb.Upsert(Path.GetFileNameWithoutExtension(file), File.ReadAllText(file));
        return watch.Elapsed.TotalSeconds;
    }

    static List<string> Notes() =>
    [
        "Training uses StandInTrainer (a minimal AdamW loop) until RagTune.Training's Trainer is in main.",
        "Answers come from StandInGreedyChatClient until the engine's LocalChatClient is in main.",
        "Retrieval uses StandInBm25Index (in-memory BM25 over markdown sections) until the rag branch's knowledge base is in main.",
        "RAG hands the model the best-matching sentence of the retrieved chunks; the model reads the answer out of it (a skill taught on invented pairings).",
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
