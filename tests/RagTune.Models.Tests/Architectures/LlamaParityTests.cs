using RagTune.Models.Architectures.Llama;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>LlamaForCausalLM (GQA, llama3 RoPE scaling, untied) against HF transformers 4.47 references.</summary>
public sealed class LlamaParityTests : IDisposable
{
    readonly Parity reference = new("llama3-style");
    readonly ICausalLanguageModel model;

    public LlamaParityTests() => model = ModelLoader.LoadCausalLanguageModel(reference.Dir);

    public void Dispose()
    {
        model.Dispose();
        reference.Dispose();
    }

    [Fact]
    public void LoadsAsLlamaForCausalLM()
    {
        Assert.IsType<LlamaForCausalLM>(model);
        Assert.Equal(2, model.NumLayers);
    }

    [Fact]
    public void LogitsWithExplicitPositionsMatch()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = reference["input_ids"];
        var mask = reference["attention_mask"];
        var positions = arange(0, ids.shape[1], ScalarType.Int64).unsqueeze(0).expand(ids.shape[0], -1);
        var logits = model.Forward(ids, mask, positions);
        Parity.AssertClose(logits, reference["logits"], mask, what: "logits");
    }

    [Fact]
    public void LogitsWithPositionsFromMaskMatch()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = reference["input_ids"];
        var mask = reference["attention_mask"];
        var logits = model.Forward(ids, mask);
        Parity.AssertClose(logits, reference["logits_position_ids_from_mask"], mask, what: "logits (positions from mask)");
        var explicitPositions = model.Forward(ids, mask, reference["position_ids_from_mask"]);
        Parity.AssertClose(explicitPositions, reference["logits_position_ids_from_mask"], mask, what: "logits (explicit positions)");
    }

    [Fact]
    public void LeftPaddedRowEqualsUnpaddedSequence()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = reference["input_ids"];
        var mask = reference["attention_mask"];
        var padded = model.Forward(ids, mask);
        var row = ids[1].narrow(0, 4, 8).unsqueeze(0);
        var unpadded = model.Forward(row);
        Parity.AssertClose(padded[1].narrow(0, 4, 8).unsqueeze(0), unpadded, what: "left-padded row vs unpadded");
    }

    [Fact]
    public void LongContextLogitsMatch()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logits = model.Forward(reference["long_input_ids"]);
        Parity.AssertClose(logits, reference["long_logits"], what: "long_logits (llama3 RoPE scaling)");
    }

    [Fact]
    public void GreedyDecodingWithCacheMatchesGenerate()
    {
        using var _ = no_grad();
        var (ids, stepLogits) = GreedyDecoding.Run(model, reference["generation_prompt_ids"], 16);
        Assert.Equal(reference["generation_output_ids"].data<long>().ToArray(), ids);
        Parity.AssertClose(stepLogits, reference["generation_step_logits"], what: "generation step logits");
        stepLogits.Dispose();
    }
}
