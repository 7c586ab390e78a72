using RagTune.Tests;
using RagTune.Training.Data;
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

    [Fact]
    public void ResumeFromACheckpointEqualsAnUninterruptedRun()
    {
        var data = TinySetup.RandomSequences(40, 50, 12, 1);
        var full = TinySetup.Model(50, 5);
        var dirA = TestPaths.NewTempDir();
        new Trainer(full, TinySetup.Forward(full), Options(dirA)).Train(data);

        // "Interrupted" run: cancelled after step 8 (the checkpoint at 8 is written before the next step starts).
        var dirB = TestPaths.NewTempDir();
        var first = TinySetup.Model(50, 5);
        using var cts = new CancellationTokenSource();
        var interrupted = new Trainer(first, TinySetup.Forward(first), Options(dirB)) { OnProgress = p => { if (p.Step == 8) cts.Cancel(); } };
        Assert.Throws<OperationCanceledException>(() => interrupted.Train(data, cancellationToken: cts.Token));
        var resumed = TinySetup.Model(50, 999); // different init: everything must come from the checkpoint
        new Trainer(resumed, TinySetup.Forward(resumed), Options(dirB) with { Resume = true }).Train(data);

        var a = TinySetup.Flat(full);
        var b = TinySetup.Flat(resumed);
        var maxDiff = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(maxDiff <= 1e-6, $"max |Δw| = {maxDiff}");
        Assert.True(File.Exists(Path.Combine(dirB, "loss.png")));
        Assert.Equal(12, File.ReadAllLines(Path.Combine(dirB, "metrics.jsonl")).Length);
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
        random.manual_seed(0);
        var w1 = new TorchSharp.Modules.Parameter(randn(5, 3));
        var w2 = new TorchSharp.Modules.Parameter(w1.detach().clone());
        var ours = new AdamW([("layer.weight", w1)], weightDecay: 0.1);
        var theirs = optim.AdamW([w2], lr: 0.01, weight_decay: 0.1);
        for (var i = 0; i < 5; i++)
        {
            var x = randn(4, 5);
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
