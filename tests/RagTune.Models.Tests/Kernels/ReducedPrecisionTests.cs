using RagTune.Models.Generation;
using RagTune.Models.Kernels;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Kernels;

public class ReducedPrecisionTests
{
    [Fact]
    public void Bf16ProjectionsKeepLogitsCloseAndBothMatmulPathsAgree()
    {
        using var parity = new Parity("llama3-style");
        using var model = ModelLoader.LoadCausalLanguageModel(parity.Dir);
        var prompt = parity["generation_prompt_ids"].data<long>().Select(i => (int)i).ToArray();
        var fp32 = new TextGenerator(model).Generate(prompt, new GenerationOptions { MaxNewTokens = 8, StopTokenIds = [] }).TokenIds;

        Assert.Equal(15, ReducedPrecision.ConvertLinearWeightsToBf16(model)); // 7 projections × 2 layers + the untied head
        using (var scope = NewDisposeScope())
        using (inference_mode())
        {
            var ids = parity["input_ids"].narrow(0, 0, 1);
            var logits = model.Forward(ids);
            var diff = Parity.MaxAbsDiff(logits, parity["logits"].narrow(0, 0, 1));
            Assert.True(diff < 0.5, $"bf16 logits max |Δ| = {diff}");
        }
        // Prefill/recompute widens bf16 weights for libtorch; cached decode steps use the bf16 gemv kernel.
        var generator = new TextGenerator(model);
        var options = new GenerationOptions { MaxNewTokens = 8, StopTokenIds = [] };
        var cached = generator.Generate(prompt, options).TokenIds;
        Assert.Equal(generator.Generate(prompt, options with { UseKvCache = false }).TokenIds, cached);
        Assert.Equal(fp32.Take(4), cached.Take(4));
    }
}
