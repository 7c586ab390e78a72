using RagTune.Models.Architectures.Llama;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>LlamaForCausalLM (GQA, llama3 RoPE scaling, untied lm_head) against the llama3-style fixture.</summary>
public sealed class LlamaParityTests() : DecoderParityTests("llama3-style")
{
    [Fact]
    public void LoadsAsLlamaForCausalLM()
    {
        Assert.IsType<LlamaForCausalLM>(Model);
        Assert.Equal(2, Model.NumLayers);
        Assert.Empty(Model.TiedKeys);
    }

    [Fact]
    public void LongContextLogitsMatch()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        Parity.AssertClose(Model.Forward(Reference["long_input_ids"]), Reference["long_logits"], what: "long_logits (llama3 RoPE scaling)");
    }
}
