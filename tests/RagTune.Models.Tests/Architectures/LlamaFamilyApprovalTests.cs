using RagTune.Models.Architectures.Llama;
using RagTune.Tests;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>
/// Shape/key approval for the Llama family without real weights: state_dict names and shapes equal what HF
/// <c>save_pretrained</c> writes for Llama 2, Mistral, Qwen2 (q/k/v biases) and SmolLM2 (tied), and save → load is exact.
/// </summary>
public class LlamaFamilyApprovalTests
{
    static Dictionary<string, long[]> ExpectedKeys(int layers, int h, int q, int kv, int ffn, int v, bool qkvBias, bool tied)
    {
        var keys = new Dictionary<string, long[]>
        {
            ["model.embed_tokens.weight"] = [v, h],
            ["model.norm.weight"] = [h],
        };
        if (!tied) keys["lm_head.weight"] = [v, h];
        for (var i = 0; i < layers; i++)
        {
            var p = $"model.layers.{i}.";
            keys[p + "input_layernorm.weight"] = [h];
            keys[p + "post_attention_layernorm.weight"] = [h];
            keys[p + "self_attn.q_proj.weight"] = [q, h];
            keys[p + "self_attn.k_proj.weight"] = [kv, h];
            keys[p + "self_attn.v_proj.weight"] = [kv, h];
            keys[p + "self_attn.o_proj.weight"] = [h, q];
            if (qkvBias)
            {
                keys[p + "self_attn.q_proj.bias"] = [q];
                keys[p + "self_attn.k_proj.bias"] = [kv];
                keys[p + "self_attn.v_proj.bias"] = [kv];
            }
            keys[p + "mlp.gate_proj.weight"] = [ffn, h];
            keys[p + "mlp.up_proj.weight"] = [ffn, h];
            keys[p + "mlp.down_proj.weight"] = [h, ffn];
        }
        return keys;
    }

    public static TheoryData<string, string, int, int, int, bool, bool> Families => new()
    {
        { "llama2", TinyConfigs.Llama2, 2, 32, 48, false, false },
        { "mistral", TinyConfigs.Mistral, 2, 16, 64, false, false },
        { "qwen2", TinyConfigs.Qwen2, 2, 16, 64, true, true },
        { "smollm2", TinyConfigs.SmolLM2, 3, 8, 64, false, true },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void KeysAndShapesMatchHuggingFace(string name, string json, int layers, int kv, int ffn, bool qkvBias, bool tied)
    {
        using var model = ModelArchitectures.Create(TinyConfigs.Parse(json));
        var saved = ModelSaver.StateDict(model).ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var expected = ExpectedKeys(layers, 32, 32, kv, ffn, 96, qkvBias, tied);
        Assert.True(expected.Keys.Order().SequenceEqual(saved.Keys.Order()),
            $"{name}: keys differ.\nmissing: {string.Join(", ", expected.Keys.Except(saved.Keys))}\nextra: {string.Join(", ", saved.Keys.Except(expected.Keys))}");
        foreach (var (key, shape) in expected) Assert.True(shape.SequenceEqual(saved[key]), $"{name}: {key} is [{string.Join(",", saved[key])}], expected [{string.Join(",", shape)}]");
        var llama = Assert.IsType<LlamaForCausalLM>(model);
        if (tied) Assert.Same(llama.model.embed_tokens.weight, llama.lm_head.weight);
        else Assert.NotSame(llama.model.embed_tokens.weight, llama.lm_head.weight);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void SaveThenLoadIsBitExact(string name, string json, int layers, int kv, int ffn, bool qkvBias, bool tied)
    {
        var dir = TestPaths.NewTempDir($"ragtune-{name}");
        try
        {
            using var model = (ICausalLanguageModel)ModelArchitectures.Create(TinyConfigs.Parse(json));
            ((PretrainedModel)model).InitializeWeights(seed: 7, std: 0.2);
            ModelSaver.Save(model, dir);
            using var loaded = ModelLoader.LoadCausalLanguageModel(dir);
            Assert.Equal(model.Architecture, loaded.Architecture);
            var a = model.Module.state_dict();
            var b = loaded.Module.state_dict();
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            foreach (var key in a.Keys) Assert.True(a[key].dtype == b[key].dtype && a[key].bytes.SequenceEqual(b[key].bytes), $"{name}: {key} differs after save → load");
            using var _ = no_grad();
            using var ids = tensor(new long[] { 1, 5, 9, 33, 2, 70 }, ScalarType.Int64).view(1, 6);
            using var la = model.Forward(ids);
            using var lb = loaded.Forward(ids);
            Assert.True(la.bytes.SequenceEqual(lb.bytes), $"{name}: logits differ after save → load");
            Assert.Equal(tied, !File.ReadAllText(Path.Combine(dir, "model.safetensors")).Contains("lm_head.weight"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void CachedDecodeEqualsFullForward(string name, string json, int layers, int kv, int ffn, bool qkvBias, bool tied)
    {
        using var model = (ICausalLanguageModel)ModelArchitectures.Create(TinyConfigs.Parse(json));
        ((PretrainedModel)model).InitializeWeights(seed: 3, std: 0.2);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 5, 9, 33, 2, 70, 11, 12 }, ScalarType.Int64).view(1, 8);
        var full = model.Forward(ids);
        using var cache = model.CreateCache(1, 8);
        var parts = new List<Tensor> { model.Forward(ids.narrow(1, 0, 5), cache: cache) };
        for (var i = 5; i < 8; i++) parts.Add(model.Forward(ids.narrow(1, i, 1), cache: cache));
        Parity.AssertClose(cat(parts, 1), full, tolerance: 1e-5, what: $"{name} cached vs full");
    }
}
