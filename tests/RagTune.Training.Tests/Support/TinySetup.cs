using RagTune.Training.Data;
using static TorchSharp.torch;

namespace RagTune.Training.Tests.Support;

/// <summary>Small generated datasets and model factories shared by the trainer tests.</summary>
public static class TinySetup
{
    /// <summary>Random token sequences (ids 4..vocab-1) of varying length.</summary>
    public static List<TrainingExample> RandomSequences(int count, int vocab, int maxLen, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var ids = Enumerable.Range(0, rng.Next(4, maxLen + 1)).Select(_ => rng.Next(4, vocab)).ToArray();
            return TrainingExample.ForCausal(ids);
        }).ToList();
    }

    /// <summary>
    /// A <see cref="TinyLm"/> whose weights depend only on <paramref name="seed"/>: drawn from a generator of its own
    /// (embeddings N(0, 1), projections N(0, 0.1), norms 1, biases 0), never from the process-wide RNG that tests
    /// running in parallel also draw from.
    /// </summary>
    public static TinyLm Model(int vocab, int seed, int classes = 0, ScalarType dtype = ScalarType.Float32, int hidden = 32, int layers = 2)
    {
        var model = new TinyLm(vocab, hidden, layers, 4, 64, classes, dtype);
        using var gen = new Generator((ulong)seed, CPU);
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("bias")) p.zero_();
            else if (name.Contains("norm")) p.fill_(1.0);
            else p.normal_(0, name.Contains("embed") ? 1.0 : 0.1, gen);
        }
        return model;
    }

    public static Func<TrainingBatch, Tensor> Forward(TinyLm m) => b => m.forward(b.InputIds, b.AttentionMask);

    public static float[] Flat(TinyLm m) =>
        m.parameters().SelectMany(p => p.detach().to(ScalarType.Float32).data<float>().ToArray()).ToArray();
}
