using Microsoft.Extensions.AI;
using RagTune.Models.Kernels;
using RagTune.Models.Tokenization;
using static TorchSharp.torch;

namespace RagTune.Models.Clients;

/// <summary>
/// A local BERT-family encoder as a Microsoft.Extensions.AI embedding generator: texts are tokenized (with [CLS] …
/// [SEP]), truncated to the model's limit, run in length-sorted batches, pooled (mean or CLS) and L2-normalised as the
/// model folder says (<see cref="SentenceEmbeddingSettings"/>); requests marked <see cref="EmbeddingPurpose.Query"/> get the
/// folder's query prefix. Embeddings come back in input order.
/// <para>
/// Batches run side by side on <see cref="Threads"/> threads, each limiting libtorch to one thread for its batch: the
/// ops of one batch then need no synchronisation between cores (libtorch's intra-op pool meets a barrier after every
/// op, where a late or descheduled core stalls the rest). Fewer texts than that fill are split into one smaller batch
/// per thread (not below <see cref="MinSplitBatch"/> texts); the threads left over go to libtorch inside each batch,
/// so a single text runs alone on all of them.
/// </para>
/// </summary>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    readonly IEncoderModel _model;
    readonly ITokenizer _tokenizer;
    readonly SentenceEmbeddingSettings _pooling;
    readonly bool _ownsModel;
    readonly EmbeddingGeneratorMetadata _metadata;
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly int _maxTokens;
    (int Prefix, int Suffix)? _specialTokens;

    /// <param name="model">The encoder.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="pooling">Pooling, normalisation and length limit.</param>
    /// <param name="modelId">Reported in the metadata and on each embedding.</param>
    /// <param name="ownsModel">Dispose the model with this generator.</param>
    /// <param name="batchSize">Texts per forward pass.</param>
    /// <param name="threads">Compute threads (null: libtorch's thread count, by default one per core).</param>
    public LocalEmbeddingGenerator(IEncoderModel model, ITokenizer tokenizer, SentenceEmbeddingSettings? pooling = null, string? modelId = null,
        bool ownsModel = false, int batchSize = 32, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (threads is { } n) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n, nameof(threads));
        // Default: libtorch's count as this thread sees it (one per core unless the program chose otherwise, e.g. tests).
        Threads = threads ?? Math.Max(1, Math.Min(Environment.ProcessorCount, get_num_threads()));
        _model = model;
        _tokenizer = tokenizer;
        _pooling = pooling ?? SentenceEmbeddingSettings.Default;
        _ownsModel = ownsModel;
        BatchSize = batchSize;
        var positions = model.Config.MaxPositionEmbeddings;
        _maxTokens = _pooling.MaxSequenceLength is { } max ? Math.Min(max, positions) : positions;
        _metadata = new EmbeddingGeneratorMetadata("ragtune-local", null, modelId, model.Config.HiddenSize);
    }

    /// <summary>Texts per forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>Compute threads: batches running side by side, one libtorch thread each.</summary>
    public int Threads { get; }

    /// <summary>
    /// The smallest batch a request is split into to give every thread one: below that, several libtorch threads on
    /// one batch make better use of the cores than one thread each on a few texts.
    /// </summary>
    public const int MinSplitBatch = 4;

    /// <summary>Tokens per text after truncation (special tokens included).</summary>
    public int MaxTokens => _maxTokens;

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        if (_pooling.QueryPrefix is { } prefix && EmbeddingPurpose.IsQuery(options)) texts = texts.Select(t => prefix + t).ToList();
        var encoded = texts.Select(Encode).ToList();
        var vectors = new float[texts.Count][];
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Similar lengths share a batch, so little compute is spent on padding.
            var order = Enumerable.Range(0, texts.Count).OrderBy(i => encoded[i].Count).ToArray();
            var size = Math.Min(BatchSize, Math.Max(MinSplitBatch, (order.Length + Threads - 1) / Threads));
            var batches = order.Chunk(size).ToArray();
            var workers = TorchThreadLimit.IsAvailable ? Math.Min(Threads, batches.Length) : 1;
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() =>
            {
                // The workers share the threads: one each when there are enough batches (null: libtorch's default).
                using var limit = TorchThreadLimit.IsAvailable ? TorchThreadLimit.Limit(Math.Max(1, Threads / workers)) : null;
                for (var b = Interlocked.Increment(ref next); b < batches.Length; b = Interlocked.Increment(ref next))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var pooled = EmbedBatch(batches[b].Select(i => encoded[i]).ToList(), options?.Dimensions);
                    for (var j = 0; j < batches[b].Length; j++) vectors[batches[b][j]] = pooled[j];
                }
            }, cancellationToken)));
        }
        finally
        {
            _gate.Release();
        }
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v)
        {
            ModelId = _metadata.DefaultModelId, CreatedAt = created,
        }));
        var tokens = encoded.Sum(e => e.Count);
        result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
        return result;
    }

    /// <summary>Ids with special tokens, truncated to <see cref="MaxTokens"/> keeping the trailing special tokens ([SEP]).</summary>
    internal IReadOnlyList<int> Encode(string text)
    {
        var ids = _tokenizer.Encode(text, addSpecialTokens: true);
        if (ids.Count <= _maxTokens) return ids;
        var (_, suffix) = _specialTokens ??= SpecialTokenCounts();
        return [.. ids.Take(_maxTokens - suffix), .. ids.Skip(ids.Count - suffix)];
    }

    (int Prefix, int Suffix) SpecialTokenCounts()
    {
        var plain = _tokenizer.Encode("a", addSpecialTokens: false);
        var full = _tokenizer.Encode("a", addSpecialTokens: true);
        for (var p = 0; p + plain.Count <= full.Count; p++)
            if (full.Skip(p).Take(plain.Count).SequenceEqual(plain)) return (p, full.Count - p - plain.Count);
        return (0, 0);
    }

    float[][] EmbedBatch(IReadOnlyList<IReadOnlyList<int>> batch, int? dimensions)
    {
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var width = batch.Max(b => b.Count);
        var pad = _tokenizer.PadTokenId ?? 0;
        var ids = new long[batch.Count * width];
        var mask = new long[batch.Count * width];
        for (var b = 0; b < batch.Count; b++)
            for (var t = 0; t < width; t++)
            {
                var real = t < batch[b].Count;
                ids[b * width + t] = real ? batch[b][t] : pad;
                mask[b * width + t] = real ? 1 : 0;
            }
        var maskTensor = tensor(mask, [batch.Count, width]);
        using var output = _model.Forward(tensor(ids, [batch.Count, width]), maskTensor);
        var hidden = output.LastHiddenState.to_type(ScalarType.Float32); // (B, T, H)
        var pooled = HiddenStatePooling.Pool(hidden, maskTensor, _pooling.Mode);
        if (dimensions is { } d && d < pooled.shape[1]) pooled = pooled.narrow(1, 0, d); // Matryoshka-style truncation
        if (_pooling.Normalize) pooled = nn.functional.normalize(pooled, p: 2, dim: -1);
        pooled = pooled.contiguous();
        var flat = pooled.data<float>().ToArray();
        var dim = (int)pooled.shape[1];
        return Enumerable.Range(0, batch.Count).Select(b => flat.AsSpan(b * dim, dim).ToArray()).ToArray();
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceType.IsInstanceOfType(_model)) return _model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gate.Dispose();
        if (_ownsModel) _model.Dispose();
    }
}
