// TEMPORARY: the shapes the model engine (branch `models`) promises, so generation compiles before it is merged.
// Deleted when main brings the real ICausalLanguageModel / ModelConfig / KvCache.
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models;

public sealed class ModelConfig
{
    public int VocabSize { get; init; }
    public int MaxPositionEmbeddings { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
}

public sealed class KvCache : IDisposable
{
    public KvCache(ModelConfig config, int batchSize, int maxLength) { }
    public void Dispose() { }
}

public interface ICausalLanguageModel
{
    ModelConfig Config { get; }
    Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null);
}
