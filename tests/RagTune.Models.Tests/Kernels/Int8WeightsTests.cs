using RagTune.Models.Architectures.Llama;
using RagTune.Models.Generation;
using RagTune.Models.Kernels;
using RagTune.Models.Tests.Architectures;
using RagTune.Tests;
using static TorchSharp.torch;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Tests.Kernels;

/// <summary>int8 projection weights in blocks of 32 with one scale each (Q8_0's scheme).</summary>
public class Int8WeightsTests
{
    [Fact]
    public void QuantizationErrorIsAtMostHalfAStepAndForwardUsesTheDequantizedWeight()
    {
        using var scope = NewDisposeScope();
        using var linear = new Linear(64, 5, hasBias: true);
        using (no_grad())
        {
            linear.weight.copy_(randn(5, 64, generator: new Generator(3)));
            linear.weight[2].zero_(); // an all-zero block must not divide by zero
            linear.bias!.copy_(randn(5, generator: new Generator(4)));
        }
        var original = linear.weight.detach().clone();
        var x = randn(3, 64, generator: new Generator(5));
        linear.QuantizeToInt8();

        Assert.Equal(ScalarType.Int8, linear.weight.dtype);
        Assert.Equal(new long[] { 5, 2 }, linear.weight_scale!.shape);
        var dequantized = linear.weight.to_type(ScalarType.Float32).view(5, 2, 32).mul(linear.weight_scale.unsqueeze(-1)).view(5, 64);
        var error = (dequantized - original).abs().view(5, 2, 32).amax([-1]);
        Assert.True((error <= linear.weight_scale / 2 + 1e-7f).all().item<bool>(), "an element moved by more than half a quantization step");
        Assert.Equal(127, linear.weight.abs().amax([-1]).to_type(ScalarType.Int32).max().item<int>()); // each block uses the full range
        Assert.Equal(0f, dequantized[2].abs().max().item<float>());
        using (no_grad())
            Parity.AssertClose(linear.call(x), nn.functional.linear(x, dequantized, linear.bias), tolerance: 1e-5, what: "int8 linear");
    }

    [Theory]
    [InlineData(WeightPrecision.Bf16, ScalarType.BFloat16)]
    [InlineData(WeightPrecision.Int8, ScalarType.Int8)]
    [InlineData(WeightPrecision.Fp32, ScalarType.Float32)]
    public void LoadOptionsPutProjectionsInThePrecision(WeightPrecision precision, ScalarType expected)
    {
        using var model = (LlamaForCausalLM)ModelLoader.LoadCausalLanguageModel(TestPaths.Parity("llama3-style"), new ModelLoadOptions { Weights = precision });
        Assert.All(model.modules().OfType<Linear>(), l => Assert.Equal(expected, l.weight.dtype));
        Assert.Equal(ScalarType.Float32, model.model.embed_tokens.weight.dtype);
    }

    [Fact]
    public void InputsNotAMultipleOfTheBlockAreRefused()
    {
        using var linear = new Linear(48, 4);
        var e = Assert.Throws<InvalidOperationException>(() => linear.QuantizeToInt8());
        Assert.Contains("multiple of 32", e.Message);
    }

    [Theory]
    [InlineData(nameof(TinyConfigs.Llama2))] // intermediate 48: down_proj stays fp32 next to int8 projections
    [InlineData(nameof(TinyConfigs.Qwen2))]  // tied head: quantized into a copy, biases
    public void KernelStepsEqualLibtorchWithInt8Weights(string variant)
    {
        var json = (string)typeof(TinyConfigs).GetField(variant)!.GetValue(null)!;
        using var model = (LlamaForCausalLM)ModelArchitectures.Create(TinyConfigs.Parse(json));
        model.InitializeWeights(seed: 9, std: 0.3);
        var embedding = model.model.embed_tokens.weight;
        Assert.True(ReducedPrecision.QuantizeLinearWeightsToInt8(model) > 0);
        Assert.Equal(ScalarType.Int8, model.lm_head.weight.dtype);
        Assert.Same(embedding, model.model.embed_tokens.weight);
        Assert.Equal(ScalarType.Float32, embedding.dtype);
        LlamaDecodeStepTests.AssertStepsAgree(model, [8, 5], steps: 4, tolerance: 2e-5);
    }

    [Fact]
    public void Int8FixtureModelKeepsTheGreedyStartAndCannotBeSaved()
    {
        using var parity = new Parity("llama3-style");
        using var model = ModelLoader.LoadCausalLanguageModel(parity.Dir);
        var prompt = parity["generation_prompt_ids"].data<long>().Select(i => (int)i).ToArray();
        var options = new GenerationOptions { MaxNewTokens = 8, StopTokenIds = [] };
        var fp32 = new TextGenerator(model).Generate(prompt, options).TokenIds;

        Assert.Equal(15, ReducedPrecision.QuantizeLinearWeightsToInt8(model)); // 7 projections × 2 layers + the head
        using (var scope = NewDisposeScope())
        using (inference_mode())
        {
            var diff = Parity.MaxAbsDiff(model.Forward(parity["input_ids"].narrow(0, 0, 1)), parity["logits"].narrow(0, 0, 1));
            Assert.True(diff < 0.5, $"int8 logits max |Δ| = {diff}");
        }
        var generator = new TextGenerator(model);
        var cached = generator.Generate(prompt, options).TokenIds;
        Assert.Equal(generator.Generate(prompt, options with { UseKvCache = false }).TokenIds, cached);
        Assert.Equal(fp32.Take(4), cached.Take(4));

        var e = Assert.Throws<InvalidOperationException>(() => ModelSaver.Save(model, TestPaths.NewTempDir("ragtune-int8")));
        Assert.Contains("int8", e.Message);
    }
}

public class Int8DotTests
{
    [Theory]
    [InlineData(32)]  // one block: the odd-block tail alone
    [InlineData(96)]  // three blocks
    [InlineData(576)]
    public unsafe void BothVectorWidthsMatchTheScalarDefinition(int length)
    {
        var random = new Random(length);
        var w = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
        var scales = Enumerable.Range(0, length / 32).Select(_ => (float)random.NextDouble() * 0.01f).ToArray();
        var x = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
        var expected = 0.0;
        for (var i = 0; i < length; i++) expected += w[i] * (double)scales[i / 32] * x[i];
        foreach (var wide in new[] { false, System.Runtime.Intrinsics.X86.Avx512F.IsSupported })
            fixed (sbyte* pw = w)
            fixed (float* ps = scales, px = x)
                Assert.Equal(expected, Gemv.DotInt8(pw, ps, px, length, useAvx512: wide), 1e-4);
    }
}
