using RagTune.Models.Architectures.Llama;
using RagTune.Models.Kernels;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>
/// The hand-written decode step against the libtorch forward it replaces: same logits (fp32 rounding), same cache
/// contents, for every Llama-family variant, padded batches, long contexts and bf16 weights.
/// </summary>
public class LlamaDecodeStepTests
{
    public static TheoryData<string, int> Variants => new()
    {
        { nameof(TinyConfigs.Llama2), 1 },
        { nameof(TinyConfigs.Mistral), 3 },
        { nameof(TinyConfigs.MistralWindowed), 2 }, // decode steps run past the 4-position window
        { nameof(TinyConfigs.Qwen2), 2 },   // q/k/v biases, tied head
        { nameof(TinyConfigs.SmolLM2), 3 }, // one KV head for four query heads
    };

    static LlamaForCausalLM Create(string variant, long seed)
    {
        var json = (string)typeof(TinyConfigs).GetField(variant)!.GetValue(null)!;
        var model = (LlamaForCausalLM)ModelArchitectures.Create(TinyConfigs.Parse(json));
        model.InitializeWeights(seed, std: 0.3); // large weights: differences in the math show up in the logits
        model.eval();
        return model;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void KernelStepsEqualLibtorchStepsWithPaddedRows(string variant, int batch)
    {
        using var model = Create(variant, seed: 7);
        // Rows of different prompt lengths, left-padded as TextGenerator does: positions and masks differ per row.
        var lengths = Enumerable.Range(0, batch).Select(b => 9 - 3 * b).ToArray();
        AssertStepsAgree(model, lengths, steps: 6, tolerance: 2e-5);
    }

    [Fact]
    public void LongContextAttentionAgrees()
    {
        using var model = Create(nameof(TinyConfigs.SmolLM2), seed: 3);
        AssertStepsAgree(model, [200], steps: 3, tolerance: 2e-5);
    }

    [Theory]
    [InlineData(nameof(TinyConfigs.Qwen2))]  // tied head: gets its own bf16 copy
    [InlineData(nameof(TinyConfigs.Llama2))]
    public void Bf16WeightsGiveTheSameStepOnBothPaths(string variant)
    {
        using var model = Create(variant, seed: 11);
        var embedding = model.model.embed_tokens.weight;
        Assert.True(ReducedPrecision.ConvertLinearWeightsToBf16(model) > 0);
        Assert.Equal(ScalarType.BFloat16, model.lm_head.weight.dtype);
        Assert.Equal(ScalarType.Float32, model.model.embed_tokens.weight.dtype);
        Assert.Same(embedding, model.model.embed_tokens.weight); // the embedding itself was not replaced
        AssertStepsAgree(model, [7, 4], steps: 4, tolerance: 2e-5);
    }

    [Fact]
    public void StepsOutsideTheKernelsScopeFallBackToLibtorch()
    {
        using var model = Create(nameof(TinyConfigs.Llama2), seed: 1);
        using var scope = NewDisposeScope();
        using var cache = model.CreateCache(1, 16);
        using (inference_mode()) model.Forward(tensor(new long[] { 1, 2, 3 }, [1, 3]), cache: cache);
        var ids = tensor(new long[] { 4 }, [1, 1]);
        // Gradients recorded (training), an adapter attached (LoRA), no cache, too many rows: libtorch's path.
        Assert.Null(LlamaDecodeStep.TryForward(model, ids, null, null, cache));
        using (inference_mode())
        {
            Assert.NotNull(LlamaDecodeStep.TryForward(model, ids, null, null, cache)); // gathers (and keeps) the weights
            Assert.Null(LlamaDecodeStep.TryForward(model, ids, null, null, cache: null));
            Assert.Null(LlamaDecodeStep.TryForward(model, zeros([LlamaDecodeStep.MaxBatch + 1, 1], ScalarType.Int64), null, null, cache));
            var q = model.model.layers[1].self_attn.q_proj;
            q.Adapter = TorchSharp.torch.nn.Identity();
            Assert.Null(LlamaDecodeStep.TryForward(model, ids, null, null, cache));
            q.Adapter = null;
            Assert.NotNull(LlamaDecodeStep.TryForward(model, ids, null, null, cache));
        }
    }

    [Fact]
    public void ReplacedWeightsAreSeenByTheNextStep()
    {
        using var model = Create(nameof(TinyConfigs.Llama2), seed: 2);
        AssertStepsAgree(model, [5], steps: 2, tolerance: 2e-5);  // the kernel keeps pointers to the fp32 weights
        ReducedPrecision.ConvertLinearWeightsToBf16(model);      // replaces (and frees) every projection weight
        AssertStepsAgree(model, [5], steps: 2, tolerance: 2e-5);
    }

    [Fact]
    public async Task ConcurrentGenerationsOnOneModelMatchSequentialOnes()
    {
        // A server decodes several requests at once: one caller gets the team's helper, the others run alone.
        using var model = Create(nameof(TinyConfigs.SmolLM2), seed: 6);
        var generator = new RagTune.Models.Generation.TextGenerator(model);
        var options = new RagTune.Models.Generation.GenerationOptions { MaxNewTokens = 24, StopTokenIds = [] };
        var prompts = Enumerable.Range(0, 4).Select(p => (IReadOnlyList<int>)Enumerable.Range(1, 5 + p).Select(i => (i * 7 + p) % 90 + 1).ToArray()).ToArray();
        var sequential = prompts.Select(p => generator.Generate(p, options).TokenIds).ToArray();
        var concurrent = await Task.WhenAll(prompts.Select(p => Task.Run(() => generator.Generate(p, options).TokenIds)));
        for (var i = 0; i < prompts.Length; i++) Assert.Equal(sequential[i], concurrent[i]);
    }

    [Fact]
    public void OutOfVocabularyIdIsAClearError()
    {
        using var model = Create(nameof(TinyConfigs.Llama2), seed: 1);
        using var scope = NewDisposeScope();
        using var cache = model.CreateCache(1, 8);
        using var _ = inference_mode();
        model.Forward(tensor(new long[] { 1, 2 }, [1, 2]), cache: cache);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LlamaDecodeStep.TryForward(model, tensor(new long[] { 96 }, [1, 1]), null, null, cache));
        Assert.Contains("outside the vocabulary", e.Message);
        Assert.Equal(2, cache.Length); // nothing written
    }

    /// <summary>
    /// Prefills left-padded prompts into two caches, then decodes <paramref name="steps"/> tokens, one cache through
    /// the kernel and one through libtorch (a block invoker turns the kernel off for that model call).
    /// </summary>
    internal static void AssertStepsAgree(LlamaForCausalLM model, int[] lengths, int steps, double tolerance)
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var batch = lengths.Length;
        var width = lengths.Max();
        var total = width + steps;
        var random = new Random(5);
        var ids = new long[batch, width];
        var mask = new long[batch, total];
        for (var b = 0; b < batch; b++)
            for (var t = 0; t < total; t++)
            {
                var real = t >= width - lengths[b];
                mask[b, t] = real ? 1 : 0;
                if (t < width) ids[b, t] = real ? random.Next(1, model.Config.VocabSize) : 0;
            }
        var maskTensor = tensor(mask);
        using var kernelCache = model.CreateCache(batch, total);
        using var torchCache = model.CreateCache(batch, total);
        var prompt = tensor(ids);
        var prefillMask = maskTensor.narrow(1, 0, width);
        var logits = model.Forward(prompt, prefillMask, cache: kernelCache);
        Parity.AssertClose(model.Forward(prompt, prefillMask, cache: torchCache), logits, what: "prefill");

        var next = logits.select(1, -1).argmax(-1).view(batch, 1);
        for (var step = 0; step < steps; step++)
        {
            var stepMask = maskTensor.narrow(1, 0, width + step + 1);
            var fast = LlamaDecodeStep.TryForward(model, next, stepMask, null, kernelCache);
            Assert.NotNull(fast);
            model.BlockInvoker = (block, h, ctx) => block.Forward(h, ctx);
            var reference = model.Forward(next, stepMask, cache: torchCache);
            model.BlockInvoker = null;
            Parity.AssertClose(fast, reference, tolerance: tolerance, what: $"step {step}");
            next = reference.select(1, -1).argmax(-1).view(batch, 1);
        }
        Assert.Equal(torchCache.Length, kernelCache.Length);
        for (var layer = 0; layer < model.NumLayers; layer++)
            for (var b = 0; b < batch; b++)
            {
                // Only real positions: padded slots hold whatever the prefill computed for the filler id on both paths.
                var real = torchCache.Length - (width - lengths[b]);
                var start = width - lengths[b];
                Parity.AssertClose(kernelCache.KeyBuffer(layer)[b].narrow(1, start, real), torchCache.KeyBuffer(layer)[b].narrow(1, start, real), tolerance: tolerance, what: $"keys of layer {layer}");
                Parity.AssertClose(kernelCache.ValueBuffer(layer)[b].narrow(1, start, real), torchCache.ValueBuffer(layer)[b].narrow(1, start, real), tolerance: tolerance, what: $"values of layer {layer}");
            }
    }
}
