using RagTune.Models;
using RagTune.Tests;
using RagTune.Training.Lora;
using RagTune.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training.Tests;

/// <summary>Autograd vs central finite differences (float64) on the engine's fixture models, full and LoRA.</summary>
public class EngineGradientTests
{
    static (PretrainedModel Model, Tensor Ids) Load(string fixture)
    {
        var model = ModelLoader.Load(TestPaths.Parity(fixture), new ModelLoadOptions { DType = ScalarType.Float64 });
        using var gen = new Generator(4, CPU);
        var ids = randint(3, 500, [2, 8], dtype: ScalarType.Int64, generator: gen);
        return (model, ids);
    }

    static Tensor Loss(PretrainedModel m, Tensor ids) => TrainingLoss.CausalLm(((ICausalLanguageModel)m).Forward(ids), ids);

    [Theory]
    [InlineData("llama3-style", "q_proj,v_proj")]
    [InlineData("gpt2", "c_attn")]
    public void FullAndLoraGradientsMatchFiniteDifferences(string fixture, string targets)
    {
        var (m, ids) = Load(fixture);
        var seen = new HashSet<IntPtr>();
        var full = GradCheck.Run(() => Loss(m, ids), m.named_parameters().Where(p => seen.Add(p.parameter.Handle)).Select(p => (p.name, p.parameter)), 2);
        Assert.True(full.MaxRel < 1e-4, $"{fixture} full: {full.MaxRel:E3} at {full.Where}");

        var lora = LoraModel.Attach(m, new LoraConfig { R = 4, Dropout = 0, TargetModules = targets.Split(',') }, seed: 1);
        using (no_grad()) foreach (var a in lora.Adapters.Values) a.B.copy_(randn_like(a.B) * 0.2);
        var adapters = GradCheck.Run(() => Loss(m, ids), lora.TrainableParameters(), 3);
        Assert.True(adapters.MaxRel < 1e-4, $"{fixture} lora: {adapters.MaxRel:E3} at {adapters.Where}");
    }

    [Theory]
    [InlineData("llama3-style", 1)]
    [InlineData("llama3-style", 2)]
    [InlineData("llama3-style", 1000)]
    [InlineData("gpt2", 3)]
    public void ChunkedLossFromHiddenStatesEqualsTheFullLogitsLoss(string fixture, long chunkRows)
    {
        var (m, ids) = Load(fixture);
        var lm = (ICausalLanguageModel)m;
        var parameters = m.named_parameters().Select(p => p.parameter).DistinctBy(p => p.Handle).ToList();
        IReadOnlyList<Tensor> Grads(Tensor loss)
        {
            foreach (var p in parameters) p.grad?.zero_();
            loss.backward();
            return parameters.Select(p => p.grad!.clone()).ToList();
        }
        void AssertSame(Tensor labels, Tensor mask, long expectedLabelled)
        {
            Assert.Equal(expectedLabelled, TrainingLoss.LabelledPositions(labels).sum().item<long>());
            var full = TrainingLoss.CausalLm(lm.Forward(ids, mask), labels);
            var fullGrads = Grads(full);
            var chunked = TrainingLoss.CausalLmFromHidden(lm.ForwardHidden(ids, mask), lm.ProjectToVocabulary, labels, chunkRows);
            var chunkedGrads = Grads(chunked);
            Assert.Equal(full.item<double>(), chunked.item<double>(), 12);
            foreach (var (a, b) in fullGrads.Zip(chunkedGrads)) Assert.True(a.allclose(b, rtol: 1e-9, atol: 1e-12));
            Assert.Contains(fullGrads, g => g.abs().max().item<double>() > 0);
        }

        // An answer-only label pattern: a few labelled tokens per row, at different places, one row with padding.
        var answers = full_like(ids, RagTune.Training.Data.TrainingExample.IgnoreIndex);
        answers[0, TensorIndex.Slice(5, 8)] = ids[0, TensorIndex.Slice(5, 8)];
        answers[1, TensorIndex.Slice(2, 4)] = ids[1, TensorIndex.Slice(2, 4)];
        var mask = ones_like(ids);
        mask[1, TensorIndex.Slice(6)] = 0;
        AssertSame(answers, mask, 5);
        // A document pattern (pre-training): every next token labelled.
        AssertSame(ids.clone(), ones_like(ids), ids.shape[0] * (ids.shape[1] - 1));
    }

    [Fact]
    public void ChunkRowsKeepLogitsBlocksSmallButNotTiny()
    {
        Assert.Equal(1024, TrainingLoss.ChunkRows(2048));               // 8 MiB of fp32 logits
        Assert.Equal(256, TrainingLoss.ChunkRows(128_256));             // floor for a Llama-3 vocabulary
        Assert.Equal(512, TrainingLoss.ChunkRows(4096));
    }

    [Fact]
    public void GradientCheckpointingGivesTheSameGradients()
    {
        var (m, ids) = Load("llama3-style");
        m.train();
        Loss(m, ids).backward();
        var plain = m.parameters().Select(p => p.grad!.clone()).ToList();
        foreach (var p in m.parameters()) p.grad!.zero_();
        m.BlockInvoker = GradientCheckpointing.Invoker;
        Loss(m, ids).backward();
        var ckpt = m.parameters().Select(p => p.grad!).ToList();
        var maxDiff = plain.Zip(ckpt, (a, b) => (a - b).abs().max().item<double>()).Max();
        Assert.True(maxDiff < 1e-10, $"max grad diff {maxDiff}");
    }

    [Fact]
    public void BertClassifierFullAndLoraGradientsMatchFiniteDifferences()
    {
        var m = ModelLoader.Load(TestPaths.Parity("bert/sequence-classification"), new ModelLoadOptions { DType = ScalarType.Float64 });
        var classifier = (ISequenceClassifier)m;
        using var gen = new Generator(5, CPU);
        var ids = randint(1, 500, [2, 8], dtype: ScalarType.Int64, generator: gen);
        var labels = tensor(new long[] { 0, 2 });
        Tensor Loss() => TrainingLoss.Classification(classifier.Forward(ids), labels);
        var full = GradCheck.Run(Loss, m.named_parameters().Select(p => (p.name, p.parameter)), 2);
        Assert.True(full.MaxRel < 1e-4, $"bert full: {full.MaxRel:E3} at {full.Where}");
        var lora = LoraModel.Attach(m, new LoraConfig { R = 4, Dropout = 0, TargetModules = ["query", "value"], ModulesToSave = ["classifier"] }, seed: 1);
        using (no_grad()) foreach (var a in lora.Adapters.Values) a.B.copy_(randn_like(a.B) * 0.2);
        var adapters = GradCheck.Run(Loss, lora.TrainableParameters(), 3);
        Assert.True(adapters.MaxRel < 1e-4, $"bert lora: {adapters.MaxRel:E3} at {adapters.Where}");
    }
}
