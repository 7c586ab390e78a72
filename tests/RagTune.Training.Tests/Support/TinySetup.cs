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

    public static TinyLm Model(int vocab, int seed, int classes = 0, ScalarType dtype = ScalarType.Float32, int hidden = 32, int layers = 2)
    {
        random.manual_seed(seed);
        return new TinyLm(vocab, hidden, layers, 4, 64, classes, dtype);
    }

    public static Func<TrainingBatch, Tensor> Forward(TinyLm m) => b => m.forward(b.InputIds, b.AttentionMask);

    public static float[] Flat(TinyLm m) =>
        m.parameters().SelectMany(p => p.detach().to(ScalarType.Float32).data<float>().ToArray()).ToArray();
}
