using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using RagTune.Models;
using RagTune.Training;
using RagTune.Training.Optim;
using static TorchSharp.torch;

namespace RagTune.Bench;

/// <summary>
/// <c>bench -- lm-loss [--steps N] [--batch B] [--length T]</c>: pre-training steps of the demo's base-model shape
/// (hidden 128, 4 layers, 4 heads, vocabulary 2,048, tied head) with the loss from whole logits
/// (<see cref="TrainingLoss.CausalLm"/>, the peer) and from hidden states in row chunks
/// (<see cref="TrainingLoss.CausalLmFromHidden"/>, what the trainer uses), alternated in one run: tokens/s and the minor
/// page faults per step. Both start from the same weights and batches; the losses must agree, which is printed.
/// </summary>
public static class LmLossBench
{
    /// <summary>Runs the benchmark, prints a table and writes bench/results/lm-loss.json.</summary>
    public static int Run(string[] args)
    {
        var steps = BenchArgs.Int(args, "--steps", 20);
        var batch = BenchArgs.Int(args, "--batch", 32);
        var length = BenchArgs.Int(args, "--length", 208);
        var rounds = BenchArgs.Int(args, "--rounds", 3);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {get_num_threads()}; batch {batch} × {length} tokens, " +
                          $"logits {batch * (long)length * 2048 * 4 / 1e6:F0} MB whole, {TrainingLoss.ChunkRows(2048)} rows per chunk");
        var results = new Dictionary<string, List<(double TokensPerSecond, double FaultsPerStep, double Loss)>> { ["whole logits"] = [], ["chunked"] = [] };
        for (var round = 0; round < rounds; round++)
            foreach (var name in results.Keys)
                results[name].Add(Measure(name == "chunked", steps, batch, length));
        var json = new JsonObject { ["batch"] = batch, ["length"] = length, ["steps"] = steps, ["rounds"] = rounds };
        foreach (var (name, runs) in results)
        {
            var tps = runs.Select(r => r.TokensPerSecond).Order().ToList();
            Console.WriteLine($"{name,-13} tokens/s min {tps[0],8:F0}  median {tps[tps.Count / 2],8:F0}  max {tps[^1],8:F0}   " +
                              $"page faults/step {runs.Average(r => r.FaultsPerStep),8:F0}   final loss {runs[0].Loss:F6}");
            json[name] = new JsonObject
            {
                ["tokens_per_second"] = new JsonArray([.. tps.Select(t => JsonValue.Create(Math.Round(t)))]),
                ["page_faults_per_step"] = Math.Round(runs.Average(r => r.FaultsPerStep)), ["final_loss"] = runs[0].Loss,
            };
        }
        Directory.CreateDirectory("bench/results");
        File.WriteAllText("bench/results/lm-loss.json", json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    static (double, double, double) Measure(bool chunked, int steps, int batch, int length)
    {
        using var model = ModelArchitectures.Create(ModelConfig.Parse(new JsonObject
        {
            ["model_type"] = "llama", ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = 2048, ["hidden_size"] = 128,
            ["intermediate_size"] = 352, ["num_hidden_layers"] = 4, ["num_attention_heads"] = 4, ["num_key_value_heads"] = 4,
            ["max_position_embeddings"] = 512, ["rms_norm_eps"] = 1e-5, ["tie_word_embeddings"] = true, ["hidden_act"] = "silu",
        }.ToJsonString()));
        model.InitializeWeights(0);
        var lm = (ICausalLanguageModel)model;
        model.train();
        using var optimizer = new AdamW(model.named_parameters().DistinctBy(p => p.parameter.Handle).Select(p => (p.name, p.parameter)), 0.01);
        using var gen = new TorchSharp.torch.Generator(7, CPU);
        var sw = new Stopwatch();
        long faults = 0;
        double loss = 0;
        for (var s = 0; s <= steps; s++)
        {
            if (s == 1) { sw.Start(); faults = MinorFaults(); }   // step 0 warms up allocators and kernels
            using var scope = NewDisposeScope();
            var ids = randint(4, 2048, [batch, length], dtype: ScalarType.Int64, generator: gen);
            var l = chunked
                ? TrainingLoss.CausalLmFromHidden(lm.ForwardHidden(ids, null), lm.ProjectToVocabulary, ids, TrainingLoss.ChunkRows(2048))
                : TrainingLoss.CausalLm(lm.Forward(ids), ids);
            l.backward();
            optimizer.Step(1e-3);
            optimizer.ZeroGrad();
            loss = l.item<float>();
        }
        sw.Stop();
        return (batch * (double)length * steps / sw.Elapsed.TotalSeconds, (MinorFaults() - faults) / (double)steps, loss);
    }

    // Field 10 of /proc/self/stat (minflt); 0 where there is no procfs.
    static long MinorFaults()
    {
        if (!File.Exists("/proc/self/stat")) return 0;
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7]);
    }
}
