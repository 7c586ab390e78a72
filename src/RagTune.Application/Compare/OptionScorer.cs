using Microsoft.Extensions.AI;
using RagTune.Models;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using static TorchSharp.torch;

namespace RagTune.Application.Compare;

/// <summary>
/// Multiple-choice scoring by log-likelihood, as lm-evaluation-harness does it: the context (the chat-rendered prompt
/// up to the assistant turn) and each option are tokenized separately and concatenated; the option's score is the sum
/// of its tokens' log-probabilities. <c>acc</c> picks the highest sum, <c>acc_norm</c> the highest sum divided by the
/// option's length in UTF-8 bytes (lm-eval's byte-length normalisation).
/// </summary>
internal sealed class OptionScorer(ICausalLanguageModel model, ITokenizer tokenizer, ChatTemplate template)
{
    readonly int _maxPositions = model.Config.GetInt("max_position_embeddings") ?? 2048;

    /// <summary>Sum of log-probabilities of each option after <paramref name="messages"/>.</summary>
    public IReadOnlyList<double> Score(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> options)
    {
        var context = tokenizer.Encode(template.Render(messages, addGenerationPrompt: true), addSpecialTokens: false).ToList();
        return options.Select(o => LogLikelihood(context, tokenizer.Encode(o, addSpecialTokens: false).ToList())).ToList();
    }

    double LogLikelihood(List<int> context, List<int> continuation)
    {
        if (continuation.Count == 0) return double.NegativeInfinity;
        var ids = context.Concat(continuation).ToList();
        // Keep the continuation whole: drop the oldest context tokens beyond the model's window (as lm-eval truncates left).
        if (ids.Count > _maxPositions) ids = ids.Skip(ids.Count - _maxPositions).ToList();
        var start = ids.Count - continuation.Count;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(ids.Select(i => (long)i).ToArray(), dtype: ScalarType.Int64).unsqueeze(0);
        var logProbs = model.Forward(input).log_softmax(-1)[0];                                  // (T, V)
        var targets = tensor(continuation.Select(i => (long)i).ToArray(), dtype: ScalarType.Int64);
        // The token at position t is predicted by the logits at t − 1.
        var rows = logProbs.narrow(0, start - 1, continuation.Count);                         // (C, V)
        return rows.gather(1, targets.unsqueeze(1)).sum().item<float>();
    }
}
