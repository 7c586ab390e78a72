using RagTune.Tests;
using RagTune.Training.Data;
using RagTune.Training.Lora;
using RagTune.Training.Optim;
using RagTune.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training.Tests;

public class TrainerTests
{
    static TrainerOptions Options(string dir, int steps = 12) => new()
    {
        OutputDir = dir, MaxSteps = steps, BatchSize = 4, GradAccumSteps = 2, LearningRate = 3e-3, Seed = 11,
        SaveEvery = 4, LogEvery = 1, PlotLoss = true,
    };

    /// <summary>A tiny model, optionally with LoRA adapters whose dropout draws from the run's generator.</summary>
    static (TinyLm Model, IEnumerable<(string, TorchSharp.Modules.Parameter)>? Trainable) Setup(int initSeed, bool loraWithDropout, int loraSeed = 1)
    {
        var m = TinySetup.Model(50, initSeed);
        if (!loraWithDropout) return (m, null);
        var lora = LoraModel.Attach(m, new LoraConfig { R = 4, Alpha = 8, Dropout = 0.3, TargetModules = ["q_proj", "v_proj", "up_proj"] }, loraSeed);
        return (m, lora.TrainableParameters().ToList());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void ResumeFromACheckpointEqualsAnUninterruptedRun(bool loraWithDropout, bool groupByLength)
    {
        TrainerOptions Options(string dir) => TrainerTests.Options(dir) with { GroupByLength = groupByLength };
        var data = TinySetup.RandomSequences(40, 50, 12, 1);
        var (full, fullTrainable) = Setup(5, loraWithDropout);
        var dirA = TestPaths.NewTempDir();
        new Trainer(full, TinySetup.Forward(full), Options(dirA), fullTrainable).Train(data);

        // "Interrupted" run: cancelled after step 8 (the checkpoint at 8 is written before the next step starts).
        var dirB = TestPaths.NewTempDir();
        var (first, firstTrainable) = Setup(5, loraWithDropout);
        using var cts = new CancellationTokenSource();
        var interrupted = new Trainer(first, TinySetup.Forward(first), Options(dirB), firstTrainable) { OnProgress = p => { if (p.Step == 8) cts.Cancel(); } };
        Assert.Throws<OperationCanceledException>(() => interrupted.Train(data, cancellationToken: cts.Token));
        // Different init (base and adapters): everything trained must come from the checkpoint. With LoRA the frozen
        // base must be the same, so only the adapters' seed differs.
        var (resumed, resumedTrainable) = loraWithDropout ? Setup(5, true, loraSeed: 999) : Setup(999, false);
        new Trainer(resumed, TinySetup.Forward(resumed), Options(dirB) with { Resume = true }, resumedTrainable).Train(data);

        var a = TinySetup.Flat(full);
        var b = TinySetup.Flat(resumed);
        var maxDiff = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(maxDiff <= 1e-6, $"max |Δw| = {maxDiff}");
        Assert.True(File.Exists(Path.Combine(dirB, "loss.png")));
        Assert.Equal(12, File.ReadAllLines(Path.Combine(dirB, "metrics.jsonl")).Length);
    }

    [Fact]
    public async Task TwoSeededTrainingsAtTheSameTimeEndWithTheWeightsOfEachRunAlone()
    {
        var data = TinySetup.RandomSequences(24, 50, 10, 3);
        float[] Run(int seed, Barrier? start = null)
        {
            var (m, trainable) = Setup(5, loraWithDropout: true, loraSeed: seed);
            var trainer = new Trainer(m, TinySetup.Forward(m), Options(TestPaths.NewTempDir(), steps: 6) with { Seed = seed, SaveEvery = 0, PlotLoss = false }, trainable);
            start?.SignalAndWait();
            trainer.Train(data);
            return TinySetup.Flat(m);
        }
        var aloneA = Run(1);
        var aloneB = Run(2);
        using var barrier = new Barrier(2);
        var both = new[] { 1, 2 }.Select(seed => Task.Factory.StartNew(() => Run(seed, barrier), TaskCreationOptions.LongRunning)).ToArray();
        var together = await Task.WhenAll(both);
        Assert.Equal(aloneA, together[0]);
        Assert.Equal(aloneB, together[1]);
        Assert.NotEqual(aloneA, aloneB);   // the seed reaches init, dropout and data order
    }

    [Fact]
    public void NonFiniteLossStopsNamingTheStepAndKeepsTheLastCheckpoint()
    {
        var data = TinySetup.RandomSequences(16, 50, 8, 2);
        var m = TinySetup.Model(50, 3);
        var dir = TestPaths.NewTempDir();
        var calls = 0;
        Func<TrainingBatch, Tensor> forward = b =>
        {
            var logits = m.forward(b.InputIds, b.AttentionMask);
            // Poison the 7th step (micro-batches 13, 14 with grad-accum 2).
            return ++calls >= 13 && m.training ? logits * double.NaN : logits;
        };
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(m, forward, Options(dir) with { SaveEvery = 3 }).Train(data));
        Assert.Equal(7, e.Step);
        Assert.Contains("step 7", e.Message);
        var ckpts = Directory.GetDirectories(Path.Combine(dir, "checkpoints")).Select(Path.GetFileName).ToList();
        Assert.Contains("step-0000006", ckpts);
        Assert.DoesNotContain(ckpts, c => c!.Contains(".tmp"));
    }

    [Fact]
    public void AdamWMatchesTorchAdamW()
    {
        using var gen = new Generator(0, CPU);
        var w1 = new TorchSharp.Modules.Parameter(randn(5, 3, generator: gen));
        var w2 = new TorchSharp.Modules.Parameter(w1.detach().clone());
        var ours = new AdamW([("layer.weight", w1)], weightDecay: 0.1);
        var theirs = optim.AdamW([w2], lr: 0.01, weight_decay: 0.1);
        for (var i = 0; i < 5; i++)
        {
            var x = randn(4, 5, generator: gen);
            x.matmul(w1).square().sum().backward();
            x.matmul(w2).square().sum().backward();
            ours.Step(0.01); ours.ZeroGrad();
            theirs.step(); theirs.zero_grad();
        }
        Assert.True((w1 - w2).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void NoDecayOnNormsBiasesAndEmbeddings()
    {
        var m = TinySetup.Model(50, 1, classes: 3);
        var (decayed, notDecayed) = new AdamW(m.named_parameters().Select(p => (p.name, p.parameter)), 0.01).Groups;
        Assert.Contains("layers.0.q_proj.weight", decayed);
        Assert.Contains("embed_tokens.weight", notDecayed);
        Assert.Contains("layers.0.input_layernorm.weight", notDecayed);
        Assert.Contains("score.bias", notDecayed);
        Assert.DoesNotContain(decayed, n => n.Contains("norm") || n.Contains("embed") || n.EndsWith("bias"));
    }

    [Fact]
    public void ScheduleWarmsUpThenDecays()
    {
        var s = new LrSchedule(1.0, 10, 110);
        Assert.Equal(0.1, s.At(0), 9);
        Assert.Equal(1.0, s.At(9), 9);
        Assert.Equal(0.5, s.At(60), 9);
        Assert.True(s.At(109) < 0.001);
        Assert.Equal(0.5, new LrSchedule(1.0, 0, 100, LrDecay.Linear).At(50), 9);
    }
}
