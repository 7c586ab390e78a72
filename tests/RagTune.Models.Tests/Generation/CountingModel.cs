using static TorchSharp.torch;

namespace RagTune.Models.Tests.Generation;

/// <summary>
/// A fake decoder whose next token is always (last input token + 1) mod V, slowed down on request: enough to test
/// the generation loop's book-keeping (stops, streaming, cancellation) without weights.
/// </summary>
internal sealed class CountingModel(int vocabSize = 32, int delayMs = 0) : ICausalLanguageModel
{
    public ModelConfig Config { get; } = CreateConfig(vocabSize);
    public int Calls { get; private set; }

    static ModelConfig CreateConfig(int vocab) => new() { VocabSize = vocab, MaxPositionEmbeddings = 1024, EosTokenIds = [] };

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        Calls++;
        if (delayMs > 0) Thread.Sleep(delayMs);
        var next = (inputIds + 1).remainder(Config.VocabSize); // (B, T)
        return nn.functional.one_hot(next, Config.VocabSize).to_type(ScalarType.Float32) * 10; // (B, T, V)
    }
}
