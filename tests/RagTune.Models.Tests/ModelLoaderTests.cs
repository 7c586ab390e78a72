using System.Text.Json.Nodes;
using RagTune.Models.SafeTensors;
using RagTune.Tests;
using static TorchSharp.torch;

namespace RagTune.Models.Tests;

public sealed class ModelLoaderTests : IDisposable
{
    readonly string dir = TestPaths.NewTempDir("ragtune-loader");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    void CopyFixture(string name)
    {
        foreach (var f in Directory.GetFiles(TestPaths.Parity(name))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
    }

    [Fact]
    public void MissingUnexpectedAndMismatchedKeysAreAllListed()
    {
        CopyFixture("llama3-style");
        var weights = SafeTensorsFile.LoadAll(Path.Combine(dir, "model.safetensors"));
        weights.Remove("model.norm.weight");
        weights["model.extra.weight"] = zeros(2);
        weights["model.layers.1.mlp.up_proj.weight"] = zeros(64, 64);
        SafeTensorsWriter.Save(Path.Combine(dir, "model.safetensors"), weights);
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Load(dir));
        Assert.Contains("missing keys (1): model.norm.weight", e.Message);
        Assert.Contains("unexpected keys (1): model.extra.weight (model.safetensors)", e.Message);
        Assert.Contains("model.layers.1.mlp.up_proj.weight (model.safetensors): checkpoint [64,64], model [128,64]", e.Message);
    }

    [Fact]
    public void UnknownModelTypeListsSupportedOnes()
    {
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"model_type": "mamba"}""");
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Load(dir));
        Assert.Contains("'mamba'", e.Message);
        Assert.Contains("llama, mistral, qwen2, gpt2, bert", e.Message);
    }

    [Fact]
    public void MissingWeightsFileIsExplained()
    {
        File.Copy(Path.Combine(TestPaths.Parity("gpt2"), "config.json"), Path.Combine(dir, "config.json"));
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Load(dir));
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void Gpt2CheckpointWithoutTransformerPrefixLoads()
    {
        CopyFixture("gpt2");
        var weights = SafeTensorsFile.LoadAll(Path.Combine(dir, "model.safetensors"));
        var bare = weights.ToDictionary(kv => kv.Key["transformer.".Length..], kv => kv.Value);
        bare["h.0.attn.bias"] = ones(1, 1, 4, 4); // stale causal-mask buffer of old checkpoints
        SafeTensorsWriter.Save(Path.Combine(dir, "model.safetensors"), bare);
        using var model = ModelLoader.LoadCausalLanguageModel(dir);
        using var reference = new Parity("gpt2");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ids = reference["input_ids"];
        var mask = reference["attention_mask"];
        Parity.AssertClose(model.Forward(ids, mask), reference["logits_position_ids_from_mask"], mask, what: "gpt2 without prefix");
    }

    [Fact]
    public void Bfloat16LoadIsCloseToFloat32()
    {
        using var model = ModelLoader.LoadCausalLanguageModel(TestPaths.Parity("llama3-style"), new ModelLoadOptions { DType = ScalarType.BFloat16 });
        Assert.Equal(ScalarType.BFloat16, model.DType);
        Assert.All(model.Module.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        using var reference = new Parity("llama3-style");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logits = model.Forward(reference["input_ids"], reference["attention_mask"]);
        Assert.Equal(ScalarType.BFloat16, logits.dtype);
        // bf16 has ~3 significant digits; logits are O(1–10).
        Parity.AssertClose(logits, reference["logits_position_ids_from_mask"], reference["attention_mask"], tolerance: 0.5, what: "bf16 logits");
    }

    [Fact]
    public void ConfigKeepsRawJsonAndLabels()
    {
        var config = ModelConfig.FromFolder(TestPaths.Parity("bert/sequence-classification"));
        Assert.Equal("LABEL_2", config.Id2Label[2]);
        Assert.Equal(1, config.Label2Id["LABEL_1"]);
        Assert.Equal(3, config.NumLabels);
        Assert.Equal(1e-12, config.LayerNormEps);
        var path = Path.Combine(dir, "config.json");
        config.Save(path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(path)), config.Raw));
        Assert.Equal([2], ModelConfig.FromFolder(TestPaths.Parity("llama3-style")).EosTokenIds);
    }

    [Fact]
    public void SavedFixtureHasExactlyTheCheckpointKeys()
    {
        foreach (var name in new[] { "llama3-style", "gpt2", "bert/base-model", "bert/sequence-classification" })
        {
            using var model = ModelLoader.Load(TestPaths.Parity(name));
            var out_ = Path.Combine(dir, name.Replace('/', '-'));
            ModelSaver.Save(model, out_);
            using var original = SafeTensorsFile.Open(Path.Combine(TestPaths.Parity(name), "model.safetensors"));
            using var saved = SafeTensorsFile.Open(Path.Combine(out_, "model.safetensors"));
            Assert.Equal(original.Tensors.Keys.Order(), saved.Tensors.Keys.Order());
            foreach (var key in original.Tensors.Keys)
            {
                using var a = original.Load(key);
                using var b = saved.Load(key);
                Assert.True(a.bytes.SequenceEqual(b.bytes), $"{name}: {key} differs after save");
            }
            Assert.Equal(model.Architecture, ModelConfig.FromFolder(out_).Architectures[0]);
        }
    }
}
