using System.Diagnostics;
using RagTune.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Evaluation.Comparison;

/// <summary>
/// STAND-IN for <c>RagTune.Training.Trainer</c> (branch <c>training</c>, not in main yet): a minimal supervised loop —
/// random batches, right padding, masked next-token cross-entropy, AdamW with warmup + cosine decay, gradient
/// clipping. Delete once the real Trainer is in main.
/// </summary>
internal static class StandInTrainer
{
    /// <summary>What a run cost.</summary>
    internal sealed record Stats(int Steps, long Tokens, double Seconds, double FinalLoss)
    {
        public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : 0;
    }

    public static Stats Train(ICausalLanguageModel model, IReadOnlyList<(int[] InputIds, int[] Labels)> data, int steps, int batchSize,
        double learningRate, int seed, int padId, Action<int, double>? onStep = null, CancellationToken cancellationToken = default)
    {
        var module = model.Module;
        module.train();
        var parameters = module.parameters().ToList();
        using var optimizer = optim.AdamW(parameters, learningRate, 0.9, 0.98, 1e-8, weight_decay: 0.0);
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        long tokens = 0;
        double lastLoss = double.NaN;
        var warmup = Math.Max(1, steps / 20);
        for (var step = 0; step < steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Warmup then cosine decay to 10% of the peak (the usual recipe; keeps the last steps from undoing memorisation).
            var lr = step < warmup ? learningRate * (step + 1) / warmup
                : learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * (step - warmup) / Math.Max(1, steps - warmup))));
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            using var scope = NewDisposeScope();
            var batch = Enumerable.Range(0, Math.Min(batchSize, data.Count)).Select(_ => data[random.Next(data.Count)]).ToList();
            var (ids, mask, labels, count) = Collate(batch, padId);
            tokens += count;
            var logits = model.Forward(ids, mask);                                   // (B, T, V)
            var v = logits.shape[2];
            var shifted = logits[.., ..^1].reshape(-1, v);                           // predict token t+1 from t
            var targets = labels[.., 1..].reshape(-1);
            var loss = nn.functional.cross_entropy(shifted, targets, ignore_index: -100);
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            optimizer.step();
            lastLoss = loss.item<float>();
            onStep?.Invoke(step + 1, lastLoss);
        }
        module.eval();
        return new Stats(steps, tokens, watch.Elapsed.TotalSeconds, lastLoss);
    }

    static (Tensor Ids, Tensor Mask, Tensor Labels, long Tokens) Collate(List<(int[] InputIds, int[] Labels)> batch, int padId)
    {
        var b = batch.Count;
        var t = batch.Max(e => e.InputIds.Length);
        var ids = new long[b * t];
        var mask = new long[b * t];
        var labels = new long[b * t];
        Array.Fill(ids, padId);
        Array.Fill(labels, -100);
        long count = 0;
        for (var i = 0; i < b; i++)
            for (var j = 0; j < batch[i].InputIds.Length; j++)
            {
                ids[i * t + j] = batch[i].InputIds[j];
                mask[i * t + j] = 1;
                labels[i * t + j] = batch[i].Labels[j];
                count++;
            }
        return (tensor(ids, [b, t]), tensor(mask, [b, t]), tensor(labels, [b, t]), count);
    }
}
