using static TorchSharp.torch;

namespace RagTune.Models.Tests.Generation;

/// <summary>
/// A fake decoder whose next token is always (last input token + 1) mod V, slowed down on request: enough to test
/// the generation loop's book-keeping (stops, streaming, cancellation) without weights.
/// </summary>
internal sealed class CountingModel(int vocabSize = 32, int delayMs = 0) : ICausalLanguageModel
{
    public ModelConfig Config { get; } = ModelConfig.Parse(
        $$"""{"model_type":"llama","vocab_size":{{vocabSize}},"hidden_size":8,"num_hidden_layers":1,"num_attention_heads":1,"intermediate_size":8,"max_position_embeddings":1024}""");
    public int Calls { get; private set; }

    /// <summary>Managed thread ids the forward passes ran on.</summary>
    public HashSet<int> Threads { get; } = [];

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        Calls++;
        lock (Threads) Threads.Add(Environment.CurrentManagedThreadId);
        if (delayMs > 0) Thread.Sleep(delayMs);
        var next = (inputIds + 1).remainder(Config.VocabSize); // (B, T)
        return nn.functional.one_hot(next, Config.VocabSize).to_type(ScalarType.Float32) * 10; // (B, T, V)
    }

    public Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask) => throw new NotSupportedException();
    public Tensor ProjectToVocabulary(Tensor hidden) => throw new NotSupportedException();

    public KvCache CreateCache(long batchSize, int maxLength) => new(1, batchSize, 1, 8, maxLength);

    public nn.Module Module => throw new NotSupportedException();
    public string Architecture => "Counting";
    public ScalarType DType => ScalarType.Float32;
    public IReadOnlyList<ITransformerBlock> Blocks => [];
    public int NumLayers => 1;
    public IReadOnlySet<string> TiedKeys => new HashSet<string>();
    public BlockInvoker? BlockInvoker { get; set; }
    public string? MapCheckpointKey(string checkpointKey) => checkpointKey;
    public void Dispose() { }
}
