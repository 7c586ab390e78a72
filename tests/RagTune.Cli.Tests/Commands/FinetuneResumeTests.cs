using System.Diagnostics;
using RagTune.Tests;
using RagTune.Training.Checkpoints;
using RagTune.Training.Tests.Support;

namespace RagTune.Cli.Tests.Commands;

/// <summary><c>ragtune finetune</c> in a child process: kill -9 mid-run, <c>--resume</c>, same final weights as an uninterrupted run.</summary>
[Trait("Tier", "Integration")]   // end to end: trains or runs the demo or a ragtune process (dotnet test --filter "Tier!=Integration" skips it)
public class FinetuneResumeTests
{
    static readonly string Ragtune = Path.Combine(AppContext.BaseDirectory, "ragtune.dll");

    static Process Start(string args)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{Ragtune}\" {args}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["OMP_NUM_THREADS"] = "1";   // tiny model; avoid thread oversubscription on shared CI cores
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    static void RunToEnd(string args)
    {
        using var p = Start(args);
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(4)), "finetune did not finish");
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void KillNineThenResumeGivesTheSameWeights()
    {
        var root = TestPaths.NewTempDir();
        var texts = Enumerable.Range(0, 60).Select(i => $"item{i} has colour c{i % 7} and size s{i % 5} .").ToList();
        var model = TinyModelFolder.Create(Path.Combine(root, "model"), texts, hidden: 64, layers: 2, seed: 3);
        var data = Path.Combine(root, "train.jsonl");
        File.WriteAllLines(data, texts.Select(t => $$"""{"text":"{{t}}"}"""));
        string Args(string outDir) =>
            $"finetune --model \"{model}\" --data \"{data}\" --task causal --method lora --target all-linear --lora-dropout 0.1 " +
            $"--max-steps 200 --save-every 5 --batch-size 4 --grad-accum 2 --max-seq-len 16 --lr 1e-3 --seed 7 --log-every 5 --out \"{outDir}\"";

        var a = Path.Combine(root, "a");
        RunToEnd(Args(a));

        var b = Path.Combine(root, "b");
        using (var p = Start(Args(b)))
        {
            // Killed once step 10 is saved: 190 steps (seconds) remain, so the 20 ms poll cannot miss the running
            // process even on a loaded machine (with 40 steps the run could finish between two polls).
            var ckpts = Path.Combine(b, "checkpoints");
            var sw = Stopwatch.StartNew();
            while (!(Directory.Exists(ckpts) && Directory.GetDirectories(ckpts, "step-*").Any(d => string.CompareOrdinal(Path.GetFileName(d), "step-0000010") >= 0 && !d.Contains(".tmp"))))
            {
                Assert.False(p.HasExited, "finetune ended before it could be killed");
                Assert.True(sw.Elapsed < TimeSpan.FromMinutes(4), "no checkpoint appeared");
                Thread.Sleep(20);
            }
            p.Kill(entireProcessTree: true);   // SIGKILL on Linux: no cleanup runs
            p.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(b, "adapter_model.safetensors")), "a killed run must not leave final outputs");
        RunToEnd(Args(b) + " --resume");

        var wa = TensorFile.Load(Path.Combine(a, "adapter_model.safetensors"));
        var wb = TensorFile.Load(Path.Combine(b, "adapter_model.safetensors"));
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        var maxDiff = wa.Keys.Max(k => (wa[k] - wb[k]).abs().max().item<float>());
        Assert.True(maxDiff <= 1e-6, $"max |Δw| = {maxDiff}");
        Assert.True(wa.Values.Any(t => t.abs().max().item<float>() > 0), "the adapter did not train");
    }
}
