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
/// The context runs through the model once; each option continues from its keys and values (a KV cache trimmed
/// back to the context between options), so four options cost about one forward pass, not four.
/// </summary>
internal sealed class OptionScorer(ICausalLanguageModel model, ITokenizer tokenizer, ChatTemplate template)
{
    readonly int _maxPositions = model.Config.GetInt("max_position_embeddings") ?? 2048;

    /// <summary>Sum of log-probabilities of each option after <paramref name="messages"/>.</summary>
    public IReadOnlyList<double> Score(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> options)
    {
        var context = tokenizer.Encode(template.Render(messages, addGenerationPrompt: true), addSpecialTokens: false).ToList();
        return Score(context, options.Select(o => tokenizer.Encode(o, addSpecialTokens: false).ToList()).ToList());
    }

    /// <summary>Sum of log-probabilities of each continuation (token ids) after <paramref name="context"/> (token ids).</summary>
    public IReadOnlyList<double> Score(IReadOnlyList<int> context, IReadOnlyList<IReadOnlyList<int>> continuations)
    {
        var longest = continuations.Count == 0 ? 0 : continuations.Max(c => c.Count);
        if (longest == 0) return continuations.Select(_ => double.NegativeInfinity).ToList();
        // Keep every option whole: drop the oldest context tokens beyond the model's window (as lm-eval truncates left).
        var keep = Math.Min(context.Count, _maxPositions - longest);
        if (keep < 1) throw new ArgumentException($"An option of {longest} tokens leaves no room for the question in the model's window of {_maxPositions} positions.", nameof(continuations));
        var ctx = context.Skip(context.Count - keep).Select(i => (long)i).ToArray();

        using var _ = no_grad();
        using var cache = model.CreateCache(1, ctx.Length + longest);
        using var scope = NewDisposeScope();
        // log-probabilities of the token that follows the context
        var next = model.Forward(tensor(ctx, dtype: ScalarType.Int64).unsqueeze(0), cache: cache)[0, -1].log_softmax(-1);
        var result = new List<double>();
        foreach (var option in continuations)
        {
            if (option.Count == 0) { result.Add(double.NegativeInfinity); continue; }
            using var inner = NewDisposeScope();
            double sum = next[option[0]].item<float>();
            if (option.Count > 1)
            {
                cache.Trim(ctx.Length);
                // Token t of the option is predicted by the logits at option token t − 1.
                var input = tensor(option.Take(option.Count - 1).Select(i => (long)i).ToArray(), dtype: ScalarType.Int64).unsqueeze(0);
                var logProbs = model.Forward(input, cache: cache)[0].log_softmax(-1);                       // (C−1, V)
                var targets = tensor(option.Skip(1).Select(i => (long)i).ToArray(), dtype: ScalarType.Int64);
                sum += logProbs.gather(1, targets.unsqueeze(1)).sum().item<float>();
            }
            result.Add(sum);
        }
        return result;
    }
}
