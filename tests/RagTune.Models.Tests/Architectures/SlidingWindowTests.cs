using RagTune.Models.Architectures.Llama;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>Mistral's sliding window: a query at position i attends to positions i − w &lt; j ≤ i only.</summary>
public class SlidingWindowTests
{
    static LlamaForCausalLM Create(int? window, int layers)
    {
        var config = TinyConfigs.Parse(TinyConfigs.MistralWindowed);
        config.Raw["sliding_window"] = window;
        config.Raw["num_hidden_layers"] = layers;
        var model = (LlamaForCausalLM)ModelArchitectures.Create(config);
        model.InitializeWeights(seed: 4, std: 0.3);
        return model;
    }

    [Fact]
    public void OneLayerSeesExactlyTheLastWindowPositions()
    {
        // With one layer the last token's output depends on the embeddings of the tokens it attends to and their
        // positions only; RoPE makes scores depend on relative positions, so the windowed result over 12 tokens must
        // equal the unwindowed result over the last 4 tokens placed at the same positions.
        using var windowed = Create(4, layers: 1);
        using var full = Create(null, layers: 1);
        full.load_state_dict(windowed.state_dict());
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var ids = arange(10, 22, ScalarType.Int64).view(1, 12);
        var last = windowed.Forward(ids).select(1, -1);
        var reference = full.Forward(ids.narrow(1, 8, 4), positionIds: arange(8, 12, ScalarType.Int64).view(1, 4)).select(1, -1);
        Parity.AssertClose(last, reference, tolerance: 1e-5, what: "windowed last token vs its window alone");
        var unwindowed = full.Forward(ids).select(1, -1);
        Assert.True(Parity.MaxAbsDiff(last, unwindowed) > 1e-3, "the window changed nothing: it is not applied");
    }

    [Fact]
    public void AWindowLongerThanTheSequenceChangesNothing()
    {
        using var windowed = Create(64, layers: 2);
        using var full = Create(null, layers: 2);
        full.load_state_dict(windowed.state_dict());
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var ids = arange(3, 23, ScalarType.Int64).view(1, 20);
        Parity.AssertClose(windowed.Forward(ids), full.Forward(ids), tolerance: 0, what: "window 64 over 20 tokens");
    }

    [Fact]
    public void CachedDecodingPastTheWindowEqualsRecompute()
    {
        using var model = Create(4, layers: 2);
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var ids = arange(5, 17, ScalarType.Int64).view(1, 12);
        using var cache = model.CreateCache(1, 12);
        model.Forward(ids.narrow(1, 0, 3), cache: cache);
        for (var t = 3; t < 12; t++)
        {
            var step = model.Forward(ids.narrow(1, t, 1), cache: cache).select(1, -1);
            var recompute = model.Forward(ids.narrow(1, 0, t + 1)).select(1, -1);
            Parity.AssertClose(step, recompute, tolerance: 2e-5, what: $"position {t}");
        }
    }

    [Fact]
    public void Qwen2WindowsOnlyWithUseSlidingWindowFromMaxWindowLayers()
    {
        var config = TinyConfigs.Parse(TinyConfigs.Qwen2);
        config.Raw["sliding_window"] = 8;
        Assert.Null(config.SlidingWindow(1)); // use_sliding_window: false
        config.Raw["use_sliding_window"] = true;
        config.Raw["max_window_layers"] = 1;
        Assert.Null(config.SlidingWindow(0));
        Assert.Equal(8, config.SlidingWindow(1));
        Assert.Null(TinyConfigs.Parse(TinyConfigs.Llama2).SlidingWindow(0));
    }
}
