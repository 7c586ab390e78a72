using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>
/// A decoder fixture (see tests/data/FIXTURES.md §1.3) against HF transformers 4.47: logits with and without positions
/// from the mask, the left-padded row, greedy generation with the KV cache. Positions with attention_mask 0 are ignored.
/// </summary>
public abstract class DecoderParityTests : IDisposable
{
    private protected readonly Parity Reference;
    private protected readonly ICausalLanguageModel Model;

    private protected DecoderParityTests(string fixture)
    {
        Reference = new Parity(fixture);
        Model = ModelLoader.LoadCausalLanguageModel(Reference.Dir);
    }

    public void Dispose()
    {
        Model.Dispose();
        Reference.Dispose();
    }

    [Fact]
    public void LogitsWithArangePositionsMatch()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = Reference["input_ids"];
        var mask = Reference["attention_mask"];
        var positions = arange(0, ids.shape[1], ScalarType.Int64).unsqueeze(0).expand(ids.shape[0], -1);
        Parity.AssertClose(Model.Forward(ids, mask, positions), Reference["logits"], mask, what: "logits");
    }

    [Fact]
    public void LogitsWithPositionsFromMaskMatch()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = Reference["input_ids"];
        var mask = Reference["attention_mask"];
        var expected = Reference["logits_position_ids_from_mask"];
        Parity.AssertClose(Model.Forward(ids, mask), expected, mask, what: "logits (positions derived from mask)");
        Parity.AssertClose(Model.Forward(ids, mask, Reference["position_ids_from_mask"]), expected, mask, what: "logits (explicit position_ids_from_mask)");
    }

    [Fact]
    public void LastPositionLogitsMatch()
    {
        // What generation asks for after a prefill: the head applied to the last position only.
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = Reference["input_ids"];
        var last = Model.ForwardLastPosition(ids, Reference["attention_mask"]);
        Assert.Equal(new[] { ids.shape[0], 1L, Model.Config.VocabSize }, last.shape);
        var t = ids.shape[1];
        Parity.AssertClose(last, Reference["logits_position_ids_from_mask"].narrow(1, t - 1, 1), what: "last-position logits");
    }

    [Fact]
    public void LeftPaddedRowEqualsUnpaddedSequence()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = Reference["input_ids"];
        var padded = Model.Forward(ids, Reference["attention_mask"]);
        var unpadded = Model.Forward(ids[1].narrow(0, 4, 8).unsqueeze(0));
        Parity.AssertClose(padded[1].narrow(0, 4, 8).unsqueeze(0), unpadded, what: "left-padded row vs unpadded");
    }

    [Fact]
    public void GreedyDecodingWithCacheMatchesGenerate()
    {
        using var _ = no_grad();
        var (ids, stepLogits) = GreedyDecoding.Run(Model, Reference["generation_prompt_ids"], 16);
        using (stepLogits)
        {
            Assert.Equal(Reference["generation_output_ids"].data<long>().ToArray(), ids);
            Parity.AssertClose(stepLogits, Reference["generation_step_logits"], what: "generation step logits");
        }
    }

    [Fact]
    public void CachedDecodingEqualsFullRecompute()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = Reference["generation_output_ids"];                 // (1, 24)
        var full = Model.Forward(ids);                                 // (1, 24, V)
        using var cache = Model.CreateCache(1, 24);
        var chunks = new List<Tensor> { Model.Forward(ids.narrow(1, 0, 10), cache: cache) };
        chunks.Add(Model.Forward(ids.narrow(1, 10, 4), cache: cache)); // multi-token step on a non-empty cache
        for (var i = 14; i < 24; i++) chunks.Add(Model.Forward(ids.narrow(1, i, 1), cache: cache));
        Assert.Equal(24, cache.Length);
        Parity.AssertClose(cat(chunks, 1), full, tolerance: 1e-5, what: "cached vs full recompute");
    }

    [Fact]
    public void PaddedBatchDecodingWithCacheMatchesRowsAlone()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = Reference["input_ids"];
        var mask = Reference["attention_mask"];
        using var cache = Model.CreateCache(2, 16);
        Model.Forward(ids, mask, cache: cache);
        var next = tensor(new long[] { 5, 7 }, ScalarType.Int64).view(2, 1);
        var stepMask = cat([mask, ones(2, 1, ScalarType.Int64)], 1);
        var step = Model.Forward(next, stepMask, cache: cache);        // (2, 1, V)
        var alone = Model.Forward(cat([ids[1].narrow(0, 4, 8).unsqueeze(0), next[1].unsqueeze(0)], 1));
        Parity.AssertClose(step[1].unsqueeze(0), alone.narrow(1, 8, 1), what: "padded batch step vs row alone");
    }

    [Fact]
    public void LiveTensorCountStaysFlatOverManyForwards()
    {
        using var _ = no_grad();
        var ids = Reference["input_ids"];
        var mask = Reference["attention_mask"];
        void Step()
        {
            using var logits = Model.Forward(ids, mask);
        }
        Step();
        var before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < 20; i++) Step();
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
