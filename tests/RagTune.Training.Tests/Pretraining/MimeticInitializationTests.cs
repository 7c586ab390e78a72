using RagTune.Models;
using RagTune.Training.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training.Tests.Pretraining;

/// <summary>
/// <see cref="MimeticInitialization"/>: every block's heads start with <c>W_q = W_k</c> and <c>W_o = W_vᵀ</c> at the
/// documented scales, nothing else changes, the seed decides the draw, and the recipe applies it when asked.
/// </summary>
public class MimeticInitializationTests
{
    static PretrainedModel Tiny(int hidden = 64, int heads = 4, int kvHeads = 4)
    {
        var options = new PretrainOptions { CorpusPath = "unused", HiddenSize = hidden, Layers = 2, Heads = heads, MaxSeqLen = 32, Trainer = new TrainerOptions { OutputDir = "unused" } };
        var config = PretrainRecipe.Config(options, 300);
        config["num_key_value_heads"] = kvHeads;
        var model = ModelArchitectures.Create(ModelConfig.Parse(config.ToJsonString(), "config.json"));
        model.InitializeWeights(1);
        return model;
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static Dictionary<string, Tensor> Weights(nn.Module m) => m.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    [Fact]
    public void Queries_equal_keys_outputs_transpose_values_and_nothing_else_changes()
    {
        using var model = Tiny();
        var before = Weights(model);
        Assert.Equal(2, MimeticInitialization.Apply(model, seed: 7));
        var after = Weights(model);
        for (var l = 0; l < 2; l++)
        {
            var p = $"model.layers.{l}.self_attn.";
            Assert.True(Same(after[p + "q_proj.weight"], after[p + "k_proj.weight"]), $"layer {l}: W_q = W_k");
            Assert.True(Same(after[p + "o_proj.weight"], after[p + "v_proj.weight"].t()), $"layer {l}: W_o = W_vᵀ");
            Assert.False(Same(after[p + "q_proj.weight"], before[p + "q_proj.weight"]), $"layer {l}: W_q redrawn");
        }
        foreach (var name in before.Keys.Where(n => !n.Contains(".self_attn.", StringComparison.Ordinal)))
            Assert.True(Same(after[name], before[name]), $"{name} must not change");
        // The two layers draw different matrices (one generator, advanced between blocks).
        Assert.False(Same(after["model.layers.0.self_attn.q_proj.weight"], after["model.layers.1.self_attn.q_proj.weight"]));
    }

    [Fact]
    public void Scales_give_the_documented_self_score_and_an_identity_copy_in_expectation()
    {
        const int hidden = 128, heads = 8, headDim = hidden / heads;
        using var model = Tiny(hidden, heads, heads);
        MimeticInitialization.Apply(model, seed: 3);
        var w = Weights(model);
        using var scope = NewDisposeScope();
        // Inputs of unit RMS, as RMSNorm hands them to the projections.
        var gen = new Generator(11);
        var h = randn([4096, hidden], generator: gen, dtype: ScalarType.Float64);
        h = h / h.pow(2).mean([1], keepdim: true).sqrt();
        for (var l = 0; l < 2; l++)
        {
            var q = w[$"model.layers.{l}.self_attn.q_proj.weight"].to_type(ScalarType.Float64);
            var v = w[$"model.layers.{l}.self_attn.v_proj.weight"].to_type(ScalarType.Float64);
            var o = w[$"model.layers.{l}.self_attn.o_proj.weight"].to_type(ScalarType.Float64);
            // Self score per head: (W_q h)·(W_k h)/√d_head with W_k = W_q; averaged over inputs and heads.
            var projected = matmul(h, q.t()).view(4096, heads, headDim);
            var self = (projected.pow(2).sum([2]) / Math.Sqrt(headDim)).mean().item<double>();
            Assert.InRange(self, MimeticInitialization.SelfScore * 0.85, MimeticInitialization.SelfScore * 1.15);
            var copy = matmul(o, v);
            var diagonal = copy.diagonal().mean().item<double>();
            var offDiagonal = (copy - diag(copy.diagonal())).abs().mean().item<double>();
            Assert.InRange(diagonal, 0.85, 1.15);
            Assert.True(offDiagonal < 0.15, $"layer {l}: off-diagonal |W_o W_v| averages {offDiagonal:F3}");
        }
    }

    [Fact]
    public void The_seed_decides_the_draw()
    {
        using var a = Tiny();
        using var b = Tiny();
        using var c = Tiny();
        MimeticInitialization.Apply(a, seed: 5);
        MimeticInitialization.Apply(b, seed: 5);
        MimeticInitialization.Apply(c, seed: 6);
        var (wa, wb, wc) = (Weights(a), Weights(b), Weights(c));
        Assert.All(wa.Keys, k => Assert.True(Same(wa[k], wb[k]), k));
        Assert.False(Same(wa["model.layers.0.self_attn.v_proj.weight"], wc["model.layers.0.self_attn.v_proj.weight"]));
    }

    [Fact]
    public void Grouped_query_attention_is_refused_naming_the_block()
    {
        using var model = Tiny(64, 4, kvHeads: 2);
        var e = Assert.Throws<ArgumentException>(() => MimeticInitialization.Apply(model, seed: 1));
        Assert.Contains("model.layers.0.self_attn.", e.Message);
        Assert.Contains("k [32, 64]", e.Message);
    }
}
