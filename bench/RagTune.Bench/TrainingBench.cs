using System.Diagnostics;
using System.Text.Json.Nodes;
using RagTune.Models;
using RagTune.Training;
using RagTune.Training.Lora;
using RagTune.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Bench;

/// <summary>
/// <c>bench -- training [--steps N] [--batch B] [--threads T]</c>: training throughput of a ~30M-parameter Llama-shaped model at
/// sequence length 256, full fine-tuning and LoRA (r=8 on q,v): tokens/s and model FLOP/s = 6·N·tokens/s (N = all
/// parameters, trainable and frozen), as a fraction of a 2048² float32 GEMM measured in the same run.
/// </summary>
public static class TrainingBench
{
    const int SeqLen = 256;

    /// <summary>Runs the benchmark and prints one line per method.</summary>
    public static int Run(string[] args)
    {
        var steps = BenchArgs.Int(args, "--steps", 3);
        var batch = BenchArgs.Int(args, "--batch", 4);
        // libtorch's default intra-op pool (one thread per core) vs an explicit count, e.g. --threads 1 on a loaded machine.
        if (BenchArgs.Int(args, "--threads", 0) is > 0 and var threads) torch.set_num_threads(threads);
        var gemm = GemmFlops();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}, 2048² GEMM {gemm / 1e9:F1} GFLOP/s");
        foreach (var lora in new[] { false, true })
        {
            using var model = CreateModel();
            var n = model.parameters().Sum(p => p.numel());
            IEnumerable<(string, TorchSharp.Modules.Parameter)> trainable = model.named_parameters().Select(p => (p.name, p.parameter));
            if (lora) trainable = LoraModel.Attach(model, new LoraConfig { R = 8, Dropout = 0.05 }, seed: 1).TrainableParameters().ToList();
            var trainableCount = trainable.Sum(p => p.Item2.numel());
            using var optimizer = new AdamW(trainable, 0.01);
            model.train();
            var tokensPerStep = (long)batch * SeqLen;
            var sw = new Stopwatch();
            var optimizerTime = new Stopwatch();
            for (var s = 0; s <= steps; s++)
            {
                if (s == 1) sw.Start();   // step 0 warms up allocators and kernels
                using var scope = NewDisposeScope();
                var ids = randint(4, model.Config.VocabSize, [batch, SeqLen], dtype: ScalarType.Int64);
                // The trainer's loss: hidden states, then the LM head in row chunks (bench lm-loss compares it with whole logits).
                TrainingLoss.CausalLmFromHidden(model.Hidden(ids), model.Project, ids, TrainingLoss.ChunkRows(model.Config.VocabSize)).backward();
                if (s >= 1) optimizerTime.Start();
                optimizer.Step(1e-4);
                optimizer.ZeroGrad();
                optimizerTime.Stop();
            }
            sw.Stop();
            var tokPerSec = tokensPerStep * steps / sw.Elapsed.TotalSeconds;
            var flops = 6.0 * n * tokPerSec;
            Console.WriteLine($"{(lora ? "lora r=8 q,v" : "full"),-14} params {n / 1e6:F1}M (trainable {trainableCount / 1e6:F2}M)  " +
                              $"{tokPerSec:F0} tokens/s  {flops / 1e9:F1} GFLOP/s  = {100 * flops / gemm:F1}% of GEMM  " +
                              $"(optimizer {100 * optimizerTime.Elapsed.TotalSeconds / sw.Elapsed.TotalSeconds:F0}% of the step)");
        }
        return 0;
    }

    /// <summary>hidden 512, 7 layers, 8 heads, MLP 1376, vocab 8000, untied head: ≈30M parameters.</summary>
    static LlamaLike CreateModel()
    {
        var config = ModelConfig.Parse(new JsonObject
        {
            ["model_type"] = "llama", ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = 8000, ["hidden_size"] = 512,
            ["intermediate_size"] = 1376, ["num_hidden_layers"] = 7, ["num_attention_heads"] = 8, ["num_key_value_heads"] = 8,
            ["max_position_embeddings"] = 512, ["rms_norm_eps"] = 1e-5, ["tie_word_embeddings"] = false, ["hidden_act"] = "silu",
        }.ToJsonString());
        var model = ModelArchitectures.Create(config);
        model.InitializeWeights(0);
        return new LlamaLike(model);
    }

    static double GemmFlops()
    {
        using var a = randn(2048, 2048);
        using var b = randn(2048, 2048);
        using (a.matmul(b)) { }
        var sw = Stopwatch.StartNew();
        var reps = 0;
        while (sw.Elapsed.TotalSeconds < 2 || reps < 3) { using (a.matmul(b)) { } reps++; }
        return 2.0 * 2048 * 2048 * 2048 * reps / sw.Elapsed.TotalSeconds;
    }

    /// <summary>The model with its module and causal-LM view in one handle.</summary>
    sealed class LlamaLike(PretrainedModel model) : IDisposable
    {
        public ModelConfig Config => model.Config;
        public Tensor Hidden(Tensor ids) => ((ICausalLanguageModel)model).ForwardHidden(ids, null);
        public Tensor Project(Tensor hidden) => ((ICausalLanguageModel)model).ProjectToVocabulary(hidden);
        public IEnumerable<TorchSharp.Modules.Parameter> parameters() => model.parameters();
        public IEnumerable<(string name, TorchSharp.Modules.Parameter parameter)> named_parameters() => model.named_parameters();
        public void train() => model.train();
        public static implicit operator nn.Module(LlamaLike l) => l.Module;
        nn.Module Module => model;
        public void Dispose() => model.Dispose();
    }
}
