using RagTune.Models.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Nn;

public class LinearTests
{
    sealed class Doubler : nn.Module<Tensor, Tensor>
    {
        public readonly TorchSharp.Modules.Parameter scale = new(ones(1));
        public Doubler() : base(nameof(Doubler)) => register_parameter("scale", scale);
        public override Tensor forward(Tensor x) => x.sum(-1, keepdim: true).mul(scale);
    }

    [Fact]
    public void StandardLayoutIsOutByInAndConv1DIsInByOut()
    {
        using var scope = NewDisposeScope();
        using var linear = new Linear(3, 2, hasBias: true);
        using var conv = new Linear(3, 2, hasBias: true, conv1D: true);
        Assert.Equal(new long[] { 2, 3 }, linear.weight.shape);
        Assert.Equal(new long[] { 3, 2 }, conv.weight.shape);
        using (no_grad())
        {
            linear.weight.copy_(arange(6, ScalarType.Float32).view(2, 3));
            conv.weight.copy_(arange(6, ScalarType.Float32).view(2, 3).t());
            linear.bias!.fill_(1);
            conv.bias!.fill_(1);
        }
        var x = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).view(1, 2, 3);
        var expected = tensor(new float[] { 9, 27, 18, 63 }).view(1, 2, 2); // x·Wᵀ + 1
        Assert.True(linear.call(x).allclose(expected));
        Assert.True(conv.call(x).allclose(expected));
        Assert.Equal(new[] { "bias", "weight" }, linear.state_dict().Keys.Order());
    }

    [Fact]
    public void AdapterOutputIsAddedAndRegisteredButNeverSaved()
    {
        using var scope = NewDisposeScope();
        var model = ModelArchitectures.Create(ModelConfig.Parse(Architectures.TinyConfigs.Llama2));
        model.InitializeWeights(seed: 2);
        var llama = (RagTune.Models.Architectures.Llama.LlamaForCausalLM)model;
        var q = llama.model.layers[0].self_attn.q_proj;
        var x = randn(1, 4, 32);
        var before = q.call(x);
        using var adapter = new Doubler();
        q.Adapter = adapter;
        Assert.True(q.call(x).allclose(before + x.sum(-1, keepdim: true)));
        Assert.Contains("model.layers.0.self_attn.q_proj.adapter.scale", model.state_dict().Keys);
        Assert.Contains(model.parameters(), p => ReferenceEquals(p, adapter.scale));
        Assert.DoesNotContain(ModelSaver.StateDict(model).Keys, k => k.Contains("adapter"));
        q.Adapter = null;
        Assert.DoesNotContain(model.state_dict().Keys, k => k.Contains("adapter"));
        Assert.True(q.call(x).allclose(before));
        model.Dispose();
    }

    [Fact]
    public void TiedLinearSharesTheParameter()
    {
        using var emb = new Embedding(10, 4);
        using var head = new Linear(emb.weight);
        Assert.Same(emb.weight, head.weight);
        Assert.Equal(10, head.OutFeatures);
    }
}
