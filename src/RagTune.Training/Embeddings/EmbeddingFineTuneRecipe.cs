using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using RagTune.Models;
using RagTune.Models.Clients;
using RagTune.Models.Tokenization;
using RagTune.Training.Lora;
using RagTune.Training.Optim;
using static TorchSharp.torch;

namespace RagTune.Training.Embeddings;

/// <summary>
/// Retriever fine-tuning (<c>ragtune finetune --task embed</c>): a sentence encoder learns from (query, positive
/// passage[, hard negative]) pairs with the multiple-negatives ranking loss (Henderson et al. 2017,
/// https://arxiv.org/abs/1705.00652; sentence-transformers' <c>MultipleNegativesRankingLoss</c>): in a batch of B
/// pairs, each query's positive must out-score the other B − 1 positives and every negative under a softmax over
/// cosine similarities / temperature. Queries get the folder's query prefix, passages none, pooled and normalised as
/// the folder says — exactly as at search time. Full or LoRA (merged on save); the output is a complete sentence-encoder
/// folder (weights, tokenizer, pooling, prompts), written beside the target and renamed into place.
/// </summary>
public sealed class EmbeddingFineTuneRecipe(EmbeddingFineTuneOptions options, IProgress<EmbeddingFineTuneProgress>? progress = null)
{
    static readonly string[] FolderFiles =
        ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "modules.json", "sentence_bert_config.json",
         "config_sentence_transformers.json"];

    static readonly JsonSerializerOptions OptionsJson = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Trains and saves; returns losses and held-out recall before/after.</summary>
    public async Task<EmbeddingFineTuneResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var o = options;
        Say("options: " + JsonSerializer.Serialize(o, OptionsJson));
        var pairs = EmbeddingPair.ReadJsonl(o.DataPath);
        var eval = o.EvalPath is null ? null : EmbeddingPair.ReadJsonl(o.EvalPath);
        var settings = SentenceEmbeddingSettings.FromFolder(o.ModelDir);
        var tokenizer = TokenizerLoader.FromFolder(o.ModelDir);
        using var model = ModelLoader.LoadEncoder(o.ModelDir);
        var maxTokens = o.MaxTokens ?? Math.Min(settings.MaxSequenceLength ?? model.Config.MaxPositionEmbeddings, 128);

        double? before = null, after = null;
        if (eval is not null)
        {
            before = await RecallAsync(model, tokenizer, settings, eval, o.RecallAtK, cancellationToken);
            Say($"held-out recall@{o.RecallAtK} before: {before:P1} ({eval.Count} queries)");
        }

        LoraModel? lora = null;
        IEnumerable<(string Name, TorchSharp.Modules.Parameter Param)> trainable;
        if (o.Method == FineTuneMethod.Lora)
        {
            var cfg = (o.Lora ?? new LoraConfig()) with { BaseModelNameOrPath = Path.GetFullPath(o.ModelDir), TaskType = "FEATURE_EXTRACTION" };
            if (o.Lora is null || o.Lora.TargetModules.Count == 0) cfg = cfg with { TargetModules = FineTuneRecipe.DefaultTargets(model.Config.ModelType) };
            lora = LoraModel.Attach(model.Module, cfg); // B starts at zero: the untrained adapter changes nothing
            trainable = lora.TrainableParameters();
        }
        else trainable = model.Module.named_parameters().Select(p => (p.name, p.parameter));
        using var optimizer = new AdamW(trainable, o.WeightDecay);

        var stepsPerEpoch = (pairs.Count + o.BatchSize - 1) / o.BatchSize;
        var total = stepsPerEpoch * o.Epochs;
        var warmup = Math.Max(1, (int)(total * o.WarmupRatio));
        var random = new Random(o.Seed);
        var (first, last, step) = (double.NaN, double.NaN, 0);
        model.Module.train();
        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            var order = Enumerable.Range(0, pairs.Count).OrderBy(_ => random.Next()).ToArray();
            for (var start = 0; start < order.Length; start += o.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = order.Skip(start).Take(o.BatchSize).Select(i => pairs[i]).ToList();
                if (batch.Count < 2) continue; // one pair has no in-batch negative
                var lr = o.LearningRate * (step < warmup ? (step + 1.0) / warmup : Math.Max(0, (total - step) / (double)Math.Max(1, total - warmup)));
                var loss = Step(model, tokenizer, settings, batch, maxTokens, optimizer, lr);
                step++;
                if (double.IsNaN(first)) first = loss;
                last = loss;
                if (!double.IsFinite(loss)) throw new TrainingDivergedException(step, $"the loss ({loss})");
                progress?.Report(new EmbeddingFineTuneProgress(step, total, loss, null));
            }
        }
        model.Module.eval();
        lora?.Merge();

        if (eval is not null)
        {
            after = await RecallAsync(model, tokenizer, settings, eval, o.RecallAtK, cancellationToken);
            Say($"held-out recall@{o.RecallAtK} after: {after:P1} (before {before:P1})");
        }
        Save(model, o);
        return new EmbeddingFineTuneResult(step, first, last, before, after);
    }

    /// <summary>One optimizer step on a batch; returns the loss.</summary>
    double Step(IEncoderModel model, ITokenizer tokenizer, SentenceEmbeddingSettings settings, List<EmbeddingPair> batch, int maxTokens, AdamW optimizer, double lr)
    {
        using var scope = NewDisposeScope();
        var prefix = settings.QueryPrefix ?? "";
        var queries = Embed(model, tokenizer, settings, batch.Select(p => prefix + p.Query).ToList(), maxTokens);            // (B, H)
        var passages = Embed(model, tokenizer, settings, [.. batch.Select(p => p.Positive), .. batch.Where(p => p.Negative is not null).Select(p => p.Negative!)], maxTokens); // (B + N, H)
        var scores = queries.matmul(passages.t()).div(options.Temperature);                                                  // (B, B + N)
        var labels = arange(batch.Count, ScalarType.Int64);                                                                   // query i ↔ passage i
        var loss = nn.functional.cross_entropy(scores, labels);
        optimizer.ZeroGrad();
        loss.backward();
        optimizer.Step(lr);
        return loss.item<float>();
    }

    /// <summary>Pooled, L2-normalised embeddings (B, H) with gradients.</summary>
    static Tensor Embed(IEncoderModel model, ITokenizer tokenizer, SentenceEmbeddingSettings settings, List<string> texts, int maxTokens)
    {
        var encoded = texts.Select(t =>
        {
            var ids = tokenizer.Encode(t, addSpecialTokens: true);
            return ids.Count <= maxTokens ? ids : [.. ids.Take(maxTokens - 1), ids[^1]]; // keep [SEP]
        }).ToList();
        var width = encoded.Max(e => e.Count);
        var pad = tokenizer.PadTokenId ?? 0;
        var (ids, mask) = (new long[texts.Count * width], new long[texts.Count * width]);
        for (var b = 0; b < encoded.Count; b++)
            for (var t = 0; t < width; t++)
                (ids[b * width + t], mask[b * width + t]) = t < encoded[b].Count ? (encoded[b][t], 1L) : (pad, 0L);
        var maskTensor = tensor(mask, [texts.Count, width]);
        var hidden = model.Forward(tensor(ids, [texts.Count, width]), maskTensor).LastHiddenState;                           // (B, T, H)
        return nn.functional.normalize(HiddenStatePooling.Pool(hidden, maskTensor, settings.Mode), p: 2, dim: -1);
    }

    /// <summary>Share of <paramref name="pairs"/> whose positive is among the top <paramref name="k"/> of all their distinct passages.</summary>
    public static async Task<double> RecallAsync(IEncoderModel model, ITokenizer tokenizer, SentenceEmbeddingSettings settings,
        IReadOnlyList<EmbeddingPair> pairs, int k, CancellationToken cancellationToken = default)
    {
        var corpus = pairs.Select(p => p.Positive).Concat(pairs.Where(p => p.Negative is not null).Select(p => p.Negative!)).Distinct().ToList();
        var index = corpus.Select((text, i) => (text, i)).ToDictionary(x => x.text, x => x.i);
        using var generator = new LocalEmbeddingGenerator(model, tokenizer, settings with { Normalize = true });
        var passages = await generator.GenerateAsync(corpus, cancellationToken: cancellationToken);
        var queries = await generator.GenerateAsync(pairs.Select(p => p.Query), EmbeddingPurpose.Query(), cancellationToken);
        var hits = 0;
        for (var q = 0; q < pairs.Count; q++)
        {
            var query = queries[q].Vector;
            var target = index[pairs[q].Positive];
            var targetScore = System.Numerics.Tensors.TensorPrimitives.Dot(query.Span, passages[target].Vector.Span);
            var better = passages.Count(p => System.Numerics.Tensors.TensorPrimitives.Dot(query.Span, p.Vector.Span) > targetScore);
            if (better < k) hits++;
        }
        return (double)hits / pairs.Count;
    }

    void Save(IEncoderModel model, EmbeddingFineTuneOptions o)
    {
        var target = Path.GetFullPath(o.OutputDir);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new IOException($"{target}: the output folder exists and is not empty. HINT: choose a new --out folder.");
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            ModelSaver.Save(model, staging);
            foreach (var f in FolderFiles)
                if (File.Exists(Path.Combine(o.ModelDir, f))) File.Copy(Path.Combine(o.ModelDir, f), Path.Combine(staging, f));
            foreach (var dir in Directory.GetDirectories(o.ModelDir).Select(Path.GetFileName).Where(d => d!.StartsWith("1_", StringComparison.Ordinal) || d!.StartsWith("2_", StringComparison.Ordinal)))
            {
                Directory.CreateDirectory(Path.Combine(staging, dir!));
                foreach (var f in Directory.GetFiles(Path.Combine(o.ModelDir, dir!))) File.Copy(f, Path.Combine(staging, dir!, Path.GetFileName(f)));
            }
            if (Directory.Exists(target)) Directory.Delete(target);
            Directory.Move(staging, target);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        Say($"saved to {target}");
    }

    void Say(string message) => progress?.Report(new EmbeddingFineTuneProgress(0, 0, null, message));
}
