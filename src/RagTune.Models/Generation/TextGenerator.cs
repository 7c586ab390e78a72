using System.Runtime.CompilerServices;
using RagTune.Models.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Generation;

/// <summary>
/// Autoregressive generation over an <see cref="ICausalLanguageModel"/>: one prefill of the (left-padded) prompts,
/// then one token per step through the KV cache. Batched rows are independent: each has its own positions (from the
/// attention mask, as HF <c>generate</c> computes them), stop conditions and text.
/// </summary>
public sealed class TextGenerator
{
    readonly ICausalLanguageModel _model;
    readonly ITokenizer? _tokenizer;

    /// <param name="model">The decoder.</param>
    /// <param name="tokenizer">Needed for text prompts, decoded text and stop strings; optional for id-only use.</param>
    public TextGenerator(ICausalLanguageModel model, ITokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _tokenizer = tokenizer;
    }

    /// <summary>The tokenizer given at construction, if any.</summary>
    public ITokenizer? Tokenizer => _tokenizer;

    /// <summary>Generates a continuation of a text prompt (encoded with the tokenizer's special tokens).</summary>
    public GenerationResult Generate(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Generate(RequireTokenizer().Encode(prompt), options, cancellationToken);

    /// <summary>Generates a continuation of <paramref name="promptIds"/>.</summary>
    public GenerationResult Generate(IReadOnlyList<int> promptIds, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        GenerateBatch([promptIds], options, cancellationToken)[0];

    /// <summary>Generates continuations of several prompts at once (left-padded into one batch).</summary>
    public IReadOnlyList<GenerationResult> GenerateBatch(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var rows = new List<Row>();
        foreach (var step in Run(prompts, options ?? new(), cancellationToken, rows)) { }
        return rows.Select(r => r.Result()).ToList();
    }

    /// <summary>
    /// Streams the tokens of one prompt as they are generated; the last update carries the finish reason.
    /// Cancelling <paramref name="cancellationToken"/> stops before the next model step.
    /// </summary>
    public async IAsyncEnumerable<GenerationUpdate> GenerateStreamingAsync(IReadOnlyList<int> promptIds, GenerationOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var rows = new List<Row>();
        // The steps run on the consumer's thread, as the synchronous API's do (no hop to the thread pool): that
        // thread's libtorch settings apply (TorchThreadLimit), and its tensors come from the C heap it already
        // warmed. On a pool thread a 128-token prefill of a 135M model page-faulted ~60,000 fresh pages (glibc's
        // per-thread arenas) and took 800 ms instead of 260.
        await Task.CompletedTask;
        foreach (var step in Run([promptIds], options ?? new(), cancellationToken, rows))
            if (step[0] is { } update) yield return update;
    }

    /// <summary>The per-step loop shared by the batch and streaming APIs; yields each row's update (null when done).</summary>
    IEnumerable<GenerationUpdate?[]> Run(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options,
        CancellationToken ct, List<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("At least one prompt is needed.", nameof(prompts));
        if (prompts.Any(p => p is null || p.Count == 0)) throw new ArgumentException("Prompts must not be empty.", nameof(prompts));
        options.Validate();
        if (options.StopStrings is { Count: > 0 } && _tokenizer is null)
            throw new InvalidOperationException("Stop strings need a tokenizer; construct the TextGenerator with one.");
        ct.ThrowIfCancellationRequested();

        var batch = prompts.Count;
        var promptLength = prompts.Max(p => p.Count);
        var maxPositions = _model.Config.MaxPositionEmbeddings;
        var maxNew = maxPositions > 0 ? Math.Min(options.MaxNewTokens, maxPositions - promptLength) : options.MaxNewTokens;
        if (maxNew <= 0)
            throw new ArgumentException($"The prompt has {promptLength} tokens; the model's context is {maxPositions}. " +
                                        "HINT: shorten the prompt.", nameof(prompts));
        var total = promptLength + maxNew;
        var stopIds = StopTokenIds(options);
        rows.Clear();
        rows.AddRange(prompts.Select(p => new Row(p.Count,
            _tokenizer is null ? null : new StreamingText(_tokenizer, options.StopStrings ?? []))));

        // Inference mode is entered per block, never across a `yield`: it is thread-local, and an async consumer may
        // resume this iterator on another thread. Everything (cache included) is created and updated inside it.
        using var sampler = new TokenSampler(options);
        Tensor sequence, mask;
        KvCache? cache;
        using (inference_mode())
        {
            (sequence, mask) = LeftPad(prompts, total);
            cache = options.UseKvCache ? _model.CreateCache(batch, total) : null;
        }
        using var _s = sequence;
        using var _m = mask;
        using var _c = cache;
        var positions = new long[batch];
        var nextIds = new long[batch];
        for (var step = 0; step < maxNew; step++)
        {
            ct.ThrowIfCancellationRequested();
            var length = promptLength + step; // tokens in `sequence` so far
            using (inference_mode())
            using (NewDisposeScope())
            {
                Tensor logits;
                if (step == 0 || cache is null)
                {
                    var mask2d = mask.narrow(1, 0, length);
                    var pos = PositionsFromMask(mask2d);
                    logits = _model.ForwardLastPosition(sequence.narrow(1, 0, length), mask2d, pos, cache);
                }
                else
                {
                    for (var b = 0; b < batch; b++) positions[b] = rows[b].PromptLength + step - 1;
                    var pos = tensor(positions, [batch, 1]);
                    logits = _model.Forward(sequence.narrow(1, length - 1, 1), mask.narrow(1, 0, length), pos, cache);
                }
                var last = logits.select(1, -1); // (B, V)
                var next = sampler.Next(last, options.RepetitionPenalty != 1f ? sequence.narrow(1, 0, length) : null);
                next.data<long>().CopyTo(nextIds);
            }

            var updates = new GenerationUpdate?[batch];
            var live = 0;
            for (var b = 0; b < batch; b++)
            {
                var row = rows[b];
                if (row.Finish is not null) { nextIds[b] = row.LastFed; continue; }
                updates[b] = row.Accept((int)nextIds[b], stopIds, isLastStep: step == maxNew - 1);
                row.LastFed = nextIds[b];
                if (row.Finish is null) live++;
            }
            if (step < maxNew - 1)
                using (inference_mode())
                using (NewDisposeScope())
                    sequence.narrow(1, length, 1).copy_(tensor(nextIds, [batch, 1]));
            yield return updates;
            if (live == 0) yield break;
        }
    }

    HashSet<int> StopTokenIds(GenerationOptions options)
    {
        if (options.StopTokenIds is { } explicitIds) return [.. explicitIds];
        var ids = new HashSet<int>(_model.Config.EosTokenIds);
        if (_tokenizer?.EosTokenId is { } eos) ids.Add(eos);
        return ids;
    }

    /// <summary>
    /// (B, total) ids and mask; prompts are right-aligned. Padded slots hold the row's first token: the mask hides
    /// them from attention, and the repetition penalty (which gathers over the whole row) then sees no foreign id.
    /// Mask columns after the prompt are 1 already: every generated position is real.
    /// </summary>
    static (Tensor Ids, Tensor Mask) LeftPad(IReadOnlyList<IReadOnlyList<int>> prompts, int total)
    {
        var batch = prompts.Count;
        var width = prompts.Max(p => p.Count);
        var ids = new long[batch * total];
        var mask = new long[batch * total];
        for (var b = 0; b < batch; b++)
        {
            var p = prompts[b];
            var pad = width - p.Count;
            for (var t = 0; t < total; t++)
            {
                ids[b * total + t] = t < pad ? p[0] : t < width ? p[t - pad] : 0;
                mask[b * total + t] = t < pad ? 0 : 1;
            }
        }
        return (tensor(ids, [batch, total]), tensor(mask, [batch, total]));
    }

    /// <summary>HF's positions for padded batches: cumsum(mask) − 1, with padded slots set to 1.</summary>
    internal static Tensor PositionsFromMask(Tensor mask) =>
        (mask.cumsum(1) - 1).masked_fill(mask.eq(0), 1);

    ITokenizer RequireTokenizer() =>
        _tokenizer ?? throw new InvalidOperationException("Text prompts need a tokenizer; construct the TextGenerator with one.");

    /// <summary>Book-keeping of one batch row.</summary>
    sealed class Row(int promptLength, StreamingText? text)
    {
        readonly List<int> _ids = [];
        public int PromptLength { get; } = promptLength;
        public GenerationFinishReason? Finish { get; private set; }
        public long LastFed { get; set; }

        public GenerationUpdate Accept(int id, HashSet<int> stopIds, bool isLastStep)
        {
            if (stopIds.Contains(id))
            {
                Finish = GenerationFinishReason.StopToken;
                return new GenerationUpdate(id, text?.Flush(), Finish);
            }
            _ids.Add(id);
            var (delta, stopped) = text is null ? (null, false) : text.Append(id);
            if (stopped) Finish = GenerationFinishReason.StopString;
            else if (isLastStep) Finish = GenerationFinishReason.Length;
            if (Finish == GenerationFinishReason.Length && text is not null) delta += text.Flush();
            return new GenerationUpdate(id, delta, Finish);
        }

        public GenerationResult Result() => new(_ids, text?.Text, Finish ?? GenerationFinishReason.Length, PromptLength);
    }
}
