using RagTune.Models.Architectures.Gpt2;

namespace RagTune.Models.Tests.Architectures;

/// <summary>GPT2LMHeadModel (Conv1D, fused c_attn, learned positions, tied lm_head) against the gpt2 fixture.</summary>
public sealed class Gpt2ParityTests() : DecoderParityTests("gpt2")
{
    [Fact]
    public void LoadsWithTiedHead()
    {
        var gpt2 = Assert.IsType<GPT2LMHeadModel>(Model);
        Assert.Same(gpt2.transformer.wte.weight, gpt2.lm_head.weight);
        Assert.Contains("lm_head.weight", Model.TiedKeys);
    }
}
