using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using RagTune.Evaluation.Compare.Reports;
using RagTune.Models;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using RagTune.Retrieval.Generation;
using RagTune.Retrieval.Retrieval;
using RagTune.Training.Data;

namespace RagTune.Application.Compare;

/// <summary>
/// <c>ragtune compare</c>: checks the config and data, builds the knowledge base, writes every trained arm's data,
/// proves no test question leaks into it, trains (through the fine-tuning recipe users run), answers the test set with
/// every arm (and the update's test set after re-ingesting the changed documents), and writes report.json / .md /
/// .html with intervals, paired tests and a verdict. Finished models and arms are cached by the hash of their config.
/// </summary>
public static class CompareRunner
{
    /// <summary>The file that marks an output folder as compare's own.</summary>
    public const string MarkerFileName = ".ragtune-compare";

    /// <summary>Bumped when arm results change meaning, so old caches are not reused.</summary>
    const string CacheVersion = "compare-1";

    /// <summary>Runs the comparison described by <paramref name="config"/> into <paramref name="outDir"/>.</summary>
    public static async Task<CompareReport> RunAsync(CompareConfig config, string outDir, CompareRunOptions? options = null,
        IProgress<CompareProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        options ??= new CompareRunOptions();
        if (options.BaseDirectory is { } b) config = config with { BaseDirectory = b };
        var seed = options.Seed ?? config.Seed;
        outDir = Path.GetFullPath(outDir);
        var run = new CompareRun(config, outDir, seed, options, progress, cancellationToken);
        return await run.ExecuteAsync().ConfigureAwait(false);
    }

    sealed class CompareRun(CompareConfig config, string outDir, int seed, CompareRunOptions options, IProgress<CompareProgress>? progress, CancellationToken ct)
    {
        readonly List<string> _notes = [];
        readonly Dictionary<string, TrainedModel> _models = [];
        readonly Dictionary<string, (TrainingFile File, string Note)> _data = [];
        string _model = "";

        void Report(string step, string message) => progress?.Report(new CompareProgress(step, message));

        public async Task<CompareReport> ExecuteAsync()
        {
            // 1. Everything that can be wrong is found before any long work.
            Report("check", "config and data");
            config.Validate();
            _model = config.Resolve(config.Model);
            var test = CompareDataLoader.Load(config.Resolve(config.Test), config.Task);
            var train = config.Train is { } t ? CompareDataLoader.Load(config.Resolve(t), config.Task) : [];
            var updateTest = config.Update is { } u ? CompareDataLoader.Load(config.Resolve(u.Test), config.Task) : [];
            if (!config.IsRemoteModel && ChatTemplate.FromFolder(_model) is null)
                throw new CompareConfigException($"{config.SourcePath}: field \"model\": '{_model}' has no chat template (chat_template.jinja or tokenizer_config.json). HINT: use an instruct/chat checkpoint.");
            var labels = config.Task == "classify" ? train.Concat(test).Select(i => i.Label!).Distinct().Order(StringComparer.Ordinal).ToList() : [];
            var kinds = TrainedKinds(train.Count > 0);
            // The run deletes and rewrites its own subfolders; a marker keeps it out of folders it did not make.
            var marker = Path.Combine(outDir, MarkerFileName);
            if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !File.Exists(marker))
                throw new CompareConfigException($"'{outDir}' is not empty and was not made by ragtune compare (no {MarkerFileName}). HINT: pass a new or empty folder with --out.");
            Directory.CreateDirectory(outDir);
            File.WriteAllText(marker, "Written by ragtune compare; it may delete and rewrite this folder's contents.\n");
            var window = Math.Min(config.Retrieval.ContextTokens, ModelClients.ContextWindow(_model) ?? config.Retrieval.ContextTokens);
            var grounded = new GroundedAnswerOptions
            {
                ContextTokens = window,
                AnswerTokens = Math.Min(config.MaxNewTokens, window / 2),
                TokenCounter = ModelClients.TokenCounter(_model),
                Retrieval = new RetrievalOptions { TopK = config.Retrieval.K },
            };

            // 2. Knowledge: the documents staged into one corpus and ingested; the update into its own copy.
            using var knowledge = config.Documents.Count == 0 ? null : await OpenKnowledgeAsync("kb", "corpus", config.Documents);
            CompareKnowledge? updated = null;
            double? reingestSeconds = null;
            if (config.Update is { } update && knowledge is not null)
            {
                updated = await OpenKnowledgeAsync("kb-updated", "corpus-updated", config.Documents);
                CompareKnowledge.Stage(update.Documents.Select(config.Resolve), updated.CorpusDir);
                Report("update", "re-ingesting the changed documents");
                reingestSeconds = await updated.ReingestAsync(config, ct);
                Report("update", $"re-ingest took {reingestSeconds:F3} s");
            }
            using var _ = updated;
            using var examples = config.Task == "classify" && config.Arms.Any(a => a.Name is "rag" or "ft+rag") ? await ExamplesAsync(train) : null;

            // 3. Training data for every trained model, then the leakage check over all of it.
            var builder = new TrainingDataBuilder { Config = config, Seed = seed, Train = train, Knowledge = knowledge, Labels = labels, Grounded = grounded, Progress = progress };
            var records = new Dictionary<string, IReadOnlyList<string>>();
            IChatClient? paraphraser = null;
            try
            {
                foreach (var kind in kinds)
                {
                    Report($"data {kind}", "writing training data");
                    var spec = config.Arms.FirstOrDefault(a => a.Name == kind);
                    var (writer, note) = await builder.BuildAsync(kind, spec, Path.Combine(outDir, "data", kind + ".jsonl"), () => paraphraser ??= ModelClients.OpenChat(_model, options.Models), ct);
                    if (writer.RecordTexts.Count == 0) throw new CompareConfigException($"arm {kind}: no training records could be built (no documents or training items).");
                    _data[kind] = (writer.Save(), note);
                    records[_data[kind].File.Path] = writer.RecordTexts;
                }
            }
            finally { (paraphraser as IDisposable)?.Dispose(); }
            Report("integrity", "checking that no test question occurs in any training data");
            var integrity = LeakageCheck.Run(test.Concat(updateTest), records);
            Report("integrity", $"passed: {integrity.TestQuestions} questions against {integrity.TrainingRecords} training records, no overlap");

            // 4. Train (cached by hash of base model, data, settings and seed).
            string ModelFolder(string kind, string hash) =>
                options.ModelCacheDir is { } shared ? Path.Combine(Path.GetFullPath(shared), $"{kind}-{hash[..16]}") : Path.Combine(outDir, "models", kind);
            foreach (var kind in kinds)
            {
                var spec = config.Arms.FirstOrDefault(a => a.Name == kind);
                var settings = spec?.Training ?? config.Training;
                var task = kind is "ft-docs" or "ft-paraphrase" ? TrainingTask.Causal : TrainingTask.Sft;
                var hash = Hash(CacheVersion, ModelIdentity(_model), _data[kind].File.Sha256, JsonSerializer.Serialize(settings), seed.ToString());
                _models[kind] = await ArmTrainer.TrainAsync(kind, _model, _data[kind].File.Path, task, settings, seed, ModelFolder(kind, hash), hash, options.Force, progress, ct);
            }

            // 5. Evaluate every arm (cached by the hash of everything it depends on).
            var inputsHash = Hash(CacheVersion, config.Task, ModelIdentity(_model), FileHash(config.Resolve(config.Test)), updateTest.Count > 0 ? FileHash(config.Resolve(config.Update!.Test)) : "",
                config.Train is { } tr ? FileHash(config.Resolve(tr)) : "", CorpusHash(knowledge), CorpusHash(updated), JsonSerializer.Serialize(config.Retrieval),
                config.MaxNewTokens.ToString(), seed.ToString());
            var arms = new List<ArmReport>();
            foreach (var spec in config.Arms)
            {
                var armHash = Hash(inputsHash, JsonSerializer.Serialize(spec), ModelFor(spec)?.Hash ?? "");
                var cache = Path.Combine(outDir, "arms", spec.Name.Replace("+", "-plus-"), "result.json");
                if (!options.Force && File.Exists(cache) && JsonSerializer.Deserialize<ArmReport>(File.ReadAllText(cache), CompareReportWriter.JsonOptions) is { } cached && cached.ConfigHash == armHash)
                {
                    Report($"evaluate {spec.Name}", "cached result (same arm config)");
                    // Weights and Retrieves follow from the config (a result cached before they were recorded lacks them).
                    arms.Add(cached with { Cached = true, Weights = WeightsOf(spec), Retrieves = ReadsChunks(spec) });
                    continue;
                }
                var arm = await EvaluateArmAsync(spec, test, updateTest, labels, grounded, knowledge, updated, examples, reingestSeconds) with
                {
                    ConfigHash = armHash, Weights = WeightsOf(spec), Retrieves = ReadsChunks(spec),
                };
                Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
                CompareReportWriter.WriteAtomically(cache, JsonSerializer.Serialize(arm, CompareReportWriter.JsonOptions));
                arms.Add(arm);
            }

            // 6. Statistics and report.
            Report("report", "bootstrap intervals, paired tests, verdict");
            var draft = new CompareReport
            {
                Task = config.Task,
                MainMetric = config.MainMetric,
                Seed = seed,
                ConfigSha256 = config.Sha256(),
                Config = config.SourceJson is { } json ? JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
                    : JsonSerializer.SerializeToNode(config with { SourceJson = null }, CompareReportWriter.JsonOptions),
                TestItems = test.Count,
                UpdateItems = updateTest.Count,
                Arms = arms,
                Integrity = integrity,
                ReferenceResults = config.ReferenceResults.Select(r => new ReferenceResult { Source = r.Source, Arm = r.Arm, Metric = r.Metric, Value = r.Value, Note = r.Note }).ToList(),
                Notes = Notes(),
            };
            var report = CompareReportBuilder.Complete(draft, Math.Max(1000, options.BootstrapResamples));
            CompareReportWriter.Write(report, outDir);
            Report("report", $"written to {Path.Combine(outDir, CompareReportWriter.HtmlFileName)}");
            return report;
        }

        /// <summary>The models to train: every training arm, plus the one ft+rag reuses.</summary>
        List<string> TrainedKinds(bool hasTrain)
        {
            var kinds = config.Arms.Where(a => a.Trains).Select(a => a.Name).ToList();
            if (config.Arms.FirstOrDefault(a => a.Name == "ft+rag") is { } ftRag)
            {
                var from = FromOf(ftRag, hasTrain);
                if (from == "ft-task" && !hasTrain) throw new CompareConfigException($"{config.SourcePath}: arm ft+rag reuses ft-task, which needs \"train\".");
                if (!kinds.Contains(from)) kinds.Add(from);
            }
            return kinds;
        }

        string FromOf(ArmSpec ftRag, bool hasTrain) =>
            ftRag.From ?? new[] { "ft-task", "ft-paraphrase", "ft-docs", "raft" }.FirstOrDefault(k => config.Arms.Any(a => a.Name == k))
            ?? (hasTrain ? "ft-task" : "ft-docs");

        TrainedModel? ModelFor(ArmSpec spec) =>
            spec.Name == "ft+rag" ? _models[FromOf(spec, config.Train is not null)] : _models.GetValueOrDefault(spec.Name);

        /// <summary>Whose weights answer for the arm: <c>base</c> or the kind of the trained model it uses.</summary>
        string WeightsOf(ArmSpec spec) => ModelFor(spec)?.Kind ?? "base";

        /// <summary>Whether the arm reads retrieved chunks (for classification, rag retrieves labelled examples instead).</summary>
        bool ReadsChunks(ArmSpec spec) => spec.Retrieves && config.Task != "classify";

        async Task<CompareKnowledge> OpenKnowledgeAsync(string kb, string corpus, IEnumerable<string> documents)
        {
            Report("ingest", $"staging and ingesting the documents into {kb}");
            var corpusDir = Path.Combine(outDir, corpus);
            CompareKnowledge.Stage(documents.Select(config.Resolve), corpusDir);
            var k = await CompareKnowledge.OpenAsync(Path.Combine(outDir, kb), corpusDir, config, _model, ct);
            Report("ingest", $"{kb}: {k.AllChunks().Count} chunks in {k.LastIngestSeconds:F2} s");
            return k;
        }

        /// <summary>classify + rag: the labelled training examples as their own knowledge base (one record per example).</summary>
        async Task<ExampleIndex> ExamplesAsync(IReadOnlyList<CompareItem> train)
        {
            var dir = Path.Combine(outDir, "examples");
            Directory.CreateDirectory(dir);
            var file = Path.Combine(dir, "examples.jsonl");
            CompareReportWriter.WriteAtomically(file, string.Join("\n", train.Select(i => new JsonObject { ["id"] = i.Id, ["text"] = i.Input }.ToJsonString())) + "\n");
            var k = await CompareKnowledge.OpenAsync(Path.Combine(outDir, "examples-kb"), dir, config with { Retrieval = config.Retrieval with { EmbedModel = config.Retrieval.Mode == "bm25" ? null : config.Retrieval.EmbedModel } }, _model, ct);
            return new ExampleIndex(k, train.ToDictionary(i => i.Id, i => (i.Input, i.Label!)));
        }

        async Task<ArmReport> EvaluateArmAsync(ArmSpec spec, IReadOnlyList<CompareItem> test, IReadOnlyList<CompareItem> updateTest, IReadOnlyList<string> labels,
            GroundedAnswerOptions grounded, CompareKnowledge? knowledge, CompareKnowledge? updated, ExampleIndex? examples, double? reingestSeconds)
        {
            var trained = ModelFor(spec);
            var modelDir = trained?.Folder ?? _model;
            var step = $"evaluate {spec.Name}";
            Report(step, $"model {modelDir}");
            var k = spec.K ?? config.Retrieval.K;
            var armGrounded = grounded with { Retrieval = grounded.Retrieval with { TopK = k } };
            var retrieves = ReadsChunks(spec);
            using var chat = config.Task == "multiple-choice" ? null : ModelClients.OpenChat(modelDir, options.Models);
            using var lm = config.Task == "multiple-choice" ? ModelLoader.LoadCausalLanguageModel(modelDir) : null;
            var scorer = lm is null ? null : new OptionScorer(lm, TokenizerLoader.FromFolder(modelDir), ChatTemplate.FromFolder(modelDir)!);
            ArmEvaluator Evaluator(CompareKnowledge? kb) => new()
            {
                Task = config.Task, Chat = chat, Scorer = scorer, Grounded = armGrounded, Counter = grounded.TokenCounter, MaxNewTokens = config.MaxNewTokens, Labels = labels,
                Retriever = retrieves && kb is not null ? new RecordingRetriever(kb.Retriever) : null,
                Examples = spec.Name is "rag" or "ft+rag" && config.Task == "classify" && examples is not null ? examples.NearestAsync(k) : null,
            };
            var items = await Evaluator(knowledge).EvaluateAsync(test, step, progress, ct);
            var updateItems = updateTest.Count == 0 ? [] : await Evaluator(updated).EvaluateAsync(updateTest, step + " (after update)", progress, ct);
            var metrics = CostMetrics(items, trained, retrieves ? knowledge : null, retrieves ? reingestSeconds : null, updateTest.Count > 0);
            var files = new List<TrainingFile>();
            if (trained is not null) files.Add(_data[trained.Kind].File);
            return new ArmReport { Name = spec.Name, Description = Describe(spec, trained, retrieves, k), Metrics = metrics, Items = items, UpdateItems = updateItems, TrainingFiles = files };
        }

        static Dictionary<string, MetricValue> CostMetrics(List<ItemResult> items, TrainedModel? trained, CompareKnowledge? kb, double? reingest, bool hasUpdate)
        {
            var latencies = items.Select(i => i.LatencyMs).Order().ToList();
            var m = new Dictionary<string, MetricValue>
            {
                ["latency_p50_ms"] = new(Evaluation.Compare.Statistics.Bootstrap.Percentile(latencies, 0.5)),
                ["latency_p95_ms"] = new(Evaluation.Compare.Statistics.Bootstrap.Percentile(latencies, 0.95)),
                ["prompt_tokens_per_query"] = new(items.Count == 0 ? 0 : items.Average(i => i.PromptTokens)),
                ["training_seconds"] = new(trained?.Seconds ?? 0),
            };
            if (trained is not null)
            {
                m["training_tokens_per_second"] = new(trained.TokensPerSecond);
                m["peak_working_set_mb"] = new(trained.PeakWorkingSetMb);
                m["adapter_bytes"] = new(trained.AdapterBytes);
                m["model_bytes"] = new(trained.ModelBytes);
                if (hasUpdate) m["retrain_seconds"] = new(trained.Seconds);
            }
            if (kb is not null) m["index_bytes"] = new(kb.SizeOnDisk());
            if (reingest is { } r) m["reingest_seconds"] = new(r);
            return m;
        }

        string Describe(ArmSpec spec, TrainedModel? trained, bool retrieves, int k)
        {
            var model = trained is null ? $"base model {config.Model}" : $"{trained.Kind} model ({_data[trained.Kind].Note}; {(spec.Training ?? config.Training).Method})";
            var how = config.Task == "classify" && spec.Name is "rag" or "ft+rag" ? $", with the {k} nearest labelled training examples (BM25) in the prompt"
                : retrieves ? $", reading the top {k} chunks ({config.Retrieval.Mode}) through the grounded-answer prompt" : ", closed book";
            return model + how + (spec.Name == "ft+rag" ? $" (reuses the {trained!.Kind} model)" : "");
        }

        List<string> Notes()
        {
            var notes = new List<string>
            {
                "Quality intervals: seeded percentile bootstrap over test items. Pairs: paired bootstrap interval of the difference; McNemar's exact test for 0/1 scores, an approximate randomization test otherwise; Holm's correction over all pairs of one metric; a difference is called only when the Holm-adjusted p < 0.05.",
                "faithfulness = share of the answer's content words found in the sources given to the model; citation_precision = share of cited sources containing a reference answer (lexical stand-ins for NLI judges).",
                "Costs (latency, training time, peak working set of the process) are single measurements on this machine, without intervals.",
            };
            if (config.Task == "qa") notes.Add("exact_match and f1 are over answerable questions; abstention_rate and hallucination_rate over unanswerable ones.");
            if (config.Update is not null) notes.Add("freshness_*: the same metric on the update's questions after the changed documents were re-ingested; fine-tuned weights stay as trained (retrain_seconds is what training took, i.e. the cost of refreshing them).");
            if (config.Task == "multiple-choice") notes.Add("Multiple choice: options scored by log-likelihood after the chat-rendered prompt; acc picks the highest sum, acc_norm the highest sum per UTF-8 byte (lm-evaluation-harness).");
            notes.AddRange(config.Notes);
            return notes;
        }

        static string Hash(params string[] parts) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u001f", parts))));

        static string FileHash(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

        /// <summary>A model's identity for cache keys: its config and the weight files' names and sizes (hashing gigabytes of weights would cost more than it saves).</summary>
        static string ModelIdentity(string spec)
        {
            if (CompareConfig.IsEndpoint(spec)) return spec;
            var files = Directory.EnumerateFiles(spec).Where(f => f.EndsWith(".safetensors") || f.EndsWith(".json")).Order(StringComparer.Ordinal)
                .Select(f => Path.GetFileName(f) + ":" + (f.EndsWith(".json") ? FileHash(f) : new FileInfo(f).Length.ToString()));
            return string.Join(",", files);
        }

        static string CorpusHash(CompareKnowledge? k) =>
            k is null ? "" : Hash(Directory.EnumerateFiles(k.CorpusDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(f => Path.GetRelativePath(k.CorpusDir, f) + ":" + FileHash(f)).ToArray());
    }
}
