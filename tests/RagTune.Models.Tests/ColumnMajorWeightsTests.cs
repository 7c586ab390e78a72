using RagTune.Models.Architectures.Llama;
using RagTune.Models.SafeTensors;
using RagTune.Tests;
using static TorchSharp.torch;

namespace RagTune.Models.Tests;

/// <summary><see cref="ModelLoadOptions.ColumnMajorWeights"/>: same outputs, keys and saved bytes; tying kept.</summary>
public class ColumnMajorWeightsTests
{
    [Theory]
    [InlineData("llama3-style")]
    [InlineData("gpt2")]
    public void DecoderParityAndGreedyHoldWithColumnMajorWeights(string fixture)
    {
        using var reference = new Parity(fixture);
        using var model = ModelLoader.LoadCausalLanguageModel(reference.Dir, new ModelLoadOptions { ColumnMajorWeights = true });
        using var _ = no_grad();
        using (NewDisposeScope())
        {
            var mask = reference["attention_mask"];
            Parity.AssertClose(model.Forward(reference["input_ids"], mask), reference["logits_position_ids_from_mask"], mask, what: $"{fixture} column-major logits");
        }
        var (ids, steps) = Architectures.GreedyDecoding.Run(model, reference["generation_prompt_ids"], 16);
        using (steps)
        {
            Assert.Equal(reference["generation_output_ids"].data<long>().ToArray(), ids);
            Parity.AssertClose(steps, reference["generation_step_logits"], what: $"{fixture} column-major step logits");
        }
        var dir = TestPaths.NewTempDir("ragtune-colmajor");
        try
        {
            ModelSaver.Save(model, dir);
            using var original = SafeTensorsFile.Open(Path.Combine(reference.Dir, "model.safetensors"));
            using var saved = SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors"));
            Assert.Equal(original.Tensors.Keys.Order(), saved.Tensors.Keys.Order());
            foreach (var key in original.Tensors.Keys)
            {
                using var a = original.Load(key);
                using var b = saved.Load(key);
                Assert.True(a.bytes.SequenceEqual(b.bytes), $"{key} differs after save");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void TiedHeadStillSharesTheEmbedding()
    {
        var model = (LlamaForCausalLM)ModelArchitectures.Create(ModelConfig.Parse(Architectures.TinyConfigs.SmolLM2));
        model.InitializeWeights(seed: 4);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 2, 3, 4 }).view(1, 4);
        var before = model.Forward(ids);
        model.UseColumnMajorWeights();
        Assert.Same(model.model.embed_tokens.weight, model.lm_head.weight);
        Assert.False(model.lm_head.weight.is_contiguous());
        Assert.Contains(model.parameters(), p => ReferenceEquals(p, model.model.layers[0].self_attn.q_proj.weight));
        Parity.AssertClose(model.Forward(ids), before, tolerance: 1e-5, what: "after relayout");
        model.Dispose();
    }
}
