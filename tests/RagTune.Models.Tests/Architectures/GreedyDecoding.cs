using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>A minimal greedy loop over <see cref="ICausalLanguageModel"/> with a <see cref="KvCache"/> (for parity tests).</summary>
internal static class GreedyDecoding
{
    /// <summary>Prompt (1, P) → all ids (prompt + new) and the step logits (1, steps, V).</summary>
    public static (long[] Ids, Tensor StepLogits) Run(ICausalLanguageModel model, Tensor prompt, int steps)
    {
        var ids = prompt.data<long>().ToList();
        using var cache = model.CreateCache(1, ids.Count + steps);
        var collected = new List<Tensor>();
        using var scope = NewDisposeScope();
        var input = prompt;
        for (var s = 0; s < steps; s++)
        {
            var mask = ones(1, cache.Length + input.shape[1], ScalarType.Int64);
            var logits = model.Forward(input, mask, cache: cache);
            var last = logits[0, -1];                      // (V)
            collected.Add(last);
            var next = last.argmax().item<long>();
            ids.Add(next);
            input = tensor(new[] { next }, ScalarType.Int64).view(1, 1);
        }
        return (ids.ToArray(), stack(collected).unsqueeze(0).MoveToOuterDisposeScope());
    }
}
