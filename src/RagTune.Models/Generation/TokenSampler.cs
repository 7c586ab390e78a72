using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Generation;

/// <summary>
/// Picks the next token of every row from next-token logits (B, V), in the order Hugging Face applies its logits
/// processors: repetition penalty, temperature, top-k, top-p, then argmax or a seeded multinomial draw.
/// </summary>
internal sealed class TokenSampler : IDisposable
{
    readonly GenerationOptions _options;
    readonly Generator? _generator;

    public TokenSampler(GenerationOptions options)
    {
        _options = options;
        if (!options.DoSample) return;
        // A private generator: seeded runs are reproducible whatever else draws random numbers meanwhile.
        _generator = new Generator(0, torch.CPU);
        if (options.Seed is { } seed) _generator.manual_seed(seed);
        else _generator.seed();
    }

    /// <summary>Next ids (B) as int64; <paramref name="seen"/> (B, L) holds each row's tokens so far for the penalty.</summary>
    public Tensor Next(Tensor logits, Tensor? seen)
    {
        logits = logits.to_type(ScalarType.Float32);
        if (_options.RepetitionPenalty != 1f && seen is not null) logits = Penalize(logits, seen, _options.RepetitionPenalty);
        if (!_options.DoSample) return logits.argmax(-1);
        logits = logits / _options.Temperature;
        if (_options.TopK > 0) logits = TopK(logits, Math.Min(_options.TopK, (int)logits.shape[^1]));
        if (_options.TopP < 1f) logits = TopP(logits, _options.TopP);
        var probs = logits.softmax(-1);
        return multinomial(probs, 1, replacement: false, generator: _generator).squeeze(-1);
    }

    /// <summary>HF RepetitionPenaltyLogitsProcessor: score / p when positive, score · p when negative.</summary>
    internal static Tensor Penalize(Tensor logits, Tensor seen, float penalty)
    {
        var score = logits.gather(1, seen);
        score = where(score < 0, score * penalty, score / penalty);
        // Duplicated ids write the same value twice, so scatter needs no de-duplication.
        return logits.scatter(1, seen, score);
    }

    /// <summary>HF TopKLogitsWarper: logits below the k-th largest become -inf.</summary>
    internal static Tensor TopK(Tensor logits, int k)
    {
        var kth = logits.topk(k, dim: -1).values.narrow(-1, k - 1, 1);
        return logits.masked_fill(logits < kth, float.NegativeInfinity);
    }

    /// <summary>
    /// HF TopPLogitsWarper: sort ascending, drop the low tail whose cumulative probability is ≤ 1 − p, always keep
    /// the most likely token.
    /// </summary>
    internal static Tensor TopP(Tensor logits, float p)
    {
        var (sorted, indices) = logits.sort(-1, descending: false);
        var cumulative = sorted.softmax(-1).cumsum(-1);
        var remove = cumulative <= (1 - p);
        remove.narrow(-1, remove.shape[^1] - 1, 1).fill_(false);
        var removeUnsorted = remove.scatter(-1, indices, remove);
        return logits.masked_fill(removeUnsorted, float.NegativeInfinity);
    }

    public void Dispose() => _generator?.Dispose();
}
