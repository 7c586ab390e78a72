using RagTune.Tests;
using RagTune.Training.Checkpoints;
using RagTune.Training.Lora;
using RagTune.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training.Tests;

public class LoraTests
{
    static (Tensor Ids, Tensor Mask) Inputs(int vocab)
    {
        using var gen = new Generator(9, CPU);
        var ids = randint(4, vocab, [2, 10], dtype: ScalarType.Int64, generator: gen);
        return (ids, ones_like(ids));
    }

    static Tensor Loss(TinyLm m, Tensor ids, Tensor mask) => TrainingLoss.CausalLm(m.forward(ids, mask), ids);

    static void Randomise(LoraModel lora)
    {
        // lora_B starts at zero; give it values so gradients of lora_A are non-zero too.
        using var _ = no_grad();
        foreach (var a in lora.Adapters.Values) a.B.copy_(randn_like(a.B) * 0.1);
    }

    [Fact]
    public void FullAndLoraGradientsMatchFiniteDifferences()
    {
        var m = TinySetup.Model(40, 1, dtype: ScalarType.Float64);
        m.eval();
        var (ids, mask) = Inputs(40);
        var full = GradCheck.Run(() => Loss(m, ids, mask), m.named_parameters().Select(p => (p.name, p.parameter)));
        Assert.True(full.MaxRel < 1e-4, $"full: {full.MaxRel:E3} at {full.Where}");

        var lora = LoraModel.Attach(m, new LoraConfig { R = 4, Dropout = 0, TargetModules = ["q_proj", "v_proj", "down_proj"] }, seed: 2);
        Randomise(lora);
        var adapters = GradCheck.Run(() => Loss(m, ids, mask), lora.TrainableParameters());
        Assert.True(adapters.MaxRel < 1e-4, $"lora: {adapters.MaxRel:E3} at {adapters.Where}");
    }

    [Fact]
    public void AttachFreezesBaseAndTargetsByName()
    {
        var m = TinySetup.Model(40, 1);
        var lora = LoraModel.Attach(m, new LoraConfig { TargetModules = ["q_proj", "v_proj"] });
        Assert.Equal(["layers.0.q_proj", "layers.0.v_proj", "layers.1.q_proj", "layers.1.v_proj"], lora.Adapters.Keys.Order());
        Assert.All(m.named_parameters().Where(p => !p.name.Contains("lora_")), p => Assert.False(p.parameter.requires_grad, p.name));
        Assert.All(lora.TrainableParameters(), p => Assert.True(p.Param.requires_grad));
        var all = LoraModel.Attach(TinySetup.Model(40, 1), new LoraConfig { TargetModules = [LoraConfig.AllLinear] });
        Assert.Equal(12, all.Adapters.Count);                       // 6 projections × 2 layers, lm_head excluded
        Assert.DoesNotContain(all.Adapters.Keys, k => k.Contains("lm_head"));
        Assert.Throws<ArgumentException>(() => LoraModel.Attach(TinySetup.Model(40, 1), new LoraConfig { TargetModules = ["c_attn"] }));
    }

    [Fact]
    public void FreshAdapterLeavesOutputsUnchanged()
    {
        var m = TinySetup.Model(40, 1);
        m.eval();
        var (ids, mask) = Inputs(40);
        var before = m.forward(ids, mask).detach().clone();
        LoraModel.Attach(m, new LoraConfig());
        Assert.Equal(0f, (m.forward(ids, mask) - before).abs().max().item<float>());
    }

    [Fact]
    public void LoraOnQvTrainsUnderTwoPercentOfAMeaningfulModel()
    {
        // hidden 256, 4 layers, vocab 8000: ~3.7M base parameters, like a small real decoder.
        var m = TinySetup.Model(8000, 1, hidden: 256, layers: 4);
        var (trainable, total) = LoraModel.Attach(m, new LoraConfig { R = 8 }).ParameterCounts();
        var fraction = (double)trainable / total;
        Assert.Equal(4 * 2 * 2 * 8 * 256, trainable);
        Assert.True(fraction < 0.02, $"trainable {trainable} of {total} = {fraction:P3}");
    }

    [Fact]
    public void PeftSaveLoadMergeRoundTripEqualsOnTheFly()
    {
        var dir = TestPaths.NewTempDir();
        var m = TinySetup.Model(40, 1, classes: 3);
        m.eval();
        var lora = LoraModel.Attach(m, new LoraConfig { R = 4, Alpha = 8, TaskType = "SEQ_CLS", ModulesToSave = ["score"], BaseModelNameOrPath = "/models/tiny" });
        Randomise(lora);
        using (no_grad()) foreach (var (_, p) in lora.ModulesToSaveParameters()) p.add_(1.0);
        var (ids, mask) = Inputs(40);
        var onTheFly = m.forward(ids, mask).detach().clone();
        lora.SavePeft(dir);

        var tensors = TensorFile.Load(Path.Combine(dir, PeftFiles.WeightsFile));
        Assert.Equal([4, 32], tensors["base_model.model.layers.0.q_proj.lora_A.weight"].shape);
        Assert.Equal([32, 4], tensors["base_model.model.layers.1.v_proj.lora_B.weight"].shape);
        Assert.True(tensors.ContainsKey("base_model.model.score.weight"));
        Assert.True(tensors.ContainsKey("base_model.model.score.bias"));
        Assert.Equal(10, tensors.Count);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, PeftFiles.ConfigFile)))!;
        Assert.Equal("LORA", (string)config["peft_type"]!);
        Assert.Equal("SEQ_CLS", (string)config["task_type"]!);
        Assert.Equal(4, (int)config["r"]!);
        Assert.Equal(8, (int)config["lora_alpha"]!);
        Assert.Equal("none", (string)config["bias"]!);
        Assert.False((bool)config["fan_in_fan_out"]!);
        Assert.Equal("/models/tiny", (string)config["base_model_name_or_path"]!);
        Assert.Equal(["q_proj", "v_proj"], config["target_modules"]!.AsArray().Select(x => (string)x!));
        Assert.Equal(["score"], config["modules_to_save"]!.AsArray().Select(x => (string)x!));

        var fresh = TinySetup.Model(40, 1, classes: 3);   // same base weights (same seed)
        fresh.eval();
        var loaded = PeftFiles.Load(fresh, dir);
        var afterLoad = fresh.forward(ids, mask).detach().clone();
        loaded.Merge();
        Assert.Empty(loaded.Adapters);
        Assert.DoesNotContain(fresh.named_parameters(), p => p.name.Contains("lora_"));
        var merged = fresh.forward(ids, mask);
        Assert.True((afterLoad - onTheFly).abs().max().item<float>() < 1e-6, $"loaded vs on-the-fly {(afterLoad - onTheFly).abs().max().item<float>()}");
        Assert.True((merged - onTheFly).abs().max().item<float>() < 1e-5, $"merged vs on-the-fly {(merged - onTheFly).abs().max().item<float>()}");
    }

    [Fact]
    public void FanInFanOutLayersMergeTransposed()
    {
        var host = new SlotLinear(6, 9, hasBias: true, fanInFanOut: true);
        var root = nn.Sequential(("c_attn", host));
        var lora = LoraModel.Attach(root, new LoraConfig { R = 2, Dropout = 0, TargetModules = ["c_attn"] });
        Assert.Equal((6L, 9L, 2), lora.Adapters["c_attn"].Shape);
        Randomise(lora);
        var x = randn(3, 6);
        var expected = host.forward(x).detach().clone();
        lora.Merge();
        Assert.True((host.forward(x) - expected).abs().max().item<float>() < 1e-5);
    }
}
