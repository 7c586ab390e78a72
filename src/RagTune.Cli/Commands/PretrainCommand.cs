using System.CommandLine;
using RagTune.Models;
using RagTune.Models.Tokenization;
using RagTune.Training;
using RagTune.Training.Data;
using RagTune.Training.Pretraining;
using RagTune.Training.Reporting;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune pretrain --data &lt;corpus.jsonl|.txt&gt; --out &lt;dir&gt; [--vocab-size N] [--hidden N] [--layers N] …</c>: trains a
/// byte-level BPE tokenizer and a small Llama-family model from scratch and writes a Hugging Face folder; checkpoints
/// make <c>--resume</c> continue exactly.
/// </summary>
public sealed class PretrainCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build()
    {
        var data = new Option<string>("--data") { Description = "Corpus: JSONL ({\"text\"} documents and/or {\"messages\"} conversations) or a .txt file (paragraphs).", Required = true };
        var outDir = new Option<string>("--out") { Description = "Output folder (Hugging Face model + checkpoints).", Required = true };
        var vocab = new Option<int>("--vocab-size") { DefaultValueFactory = _ => 2048, Description = "BPE vocabulary size." };
        var hidden = new Option<int>("--hidden") { DefaultValueFactory = _ => 128, Description = "Model width." };
        var layers = new Option<int>("--layers") { DefaultValueFactory = _ => 4, Description = "Transformer blocks." };
        var heads = new Option<int>("--heads") { DefaultValueFactory = _ => 4, Description = "Attention heads." };
        var maxLen = new Option<int>("--max-seq-len") { DefaultValueFactory = _ => 256, Description = "Longest sequence (context length of the model)." };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 1, Description = "Passes over the corpus." };
        var maxSteps = new Option<int>("--max-steps") { DefaultValueFactory = _ => 0, Description = "Optimizer steps (overrides --epochs)." };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => 3e-3, Description = "Peak learning rate." };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 16, Description = "Sequences per step." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 42, Description = "Seed of initialisation and data order." };
        var saveEvery = new Option<int>("--save-every") { DefaultValueFactory = _ => 100, Description = "Checkpoint every N steps." };
        var logEvery = new Option<int>("--log-every") { DefaultValueFactory = _ => 10, Description = "Progress line every N steps." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 0, Description = "libtorch threads for this process (0 = libtorch's default)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in --out." };
        var grouped = new Option<bool>("--group-by-length") { Description = "Batch sequences of similar length together (less padding; default on).", DefaultValueFactory = _ => true };
        var attentionInit = new Option<AttentionInit>("--attention-init") { DefaultValueFactory = _ => AttentionInit.Random, Description = "How attention starts: random (Hugging Face's initialiser) or mimetic (W_q = W_k, W_o = W_v^T: heads start matching and copying tokens; Trockman & Kolter 2023)." };
        var ropeTheta = new Option<double>("--rope-theta") { DefaultValueFactory = _ => 10_000, Description = "RoPE base (rope_theta); larger keeps matches between distant tokens (Llama 3: 500000)." };
        var stages = new Option<string[]>("--stage")
        {
            Description = "A stage trained before --data, as <corpus>:<steps>[:<batch size>[:<peak lr>]] (batch size and lr default to --batch-size and --lr); repeat for a curriculum, in order.",
            AllowMultipleArgumentsPerToken = false,
        };
        var validation = new Option<string?>("--validation") { Description = "Held-out JSONL/.txt scored during every stage: documents on all tokens, conversations on their answers." };
        var evalEvery = new Option<int>("--eval-every") { DefaultValueFactory = _ => 0, Description = "Score --validation every N steps (0 = at the end of each stage)." };
        var command = new Command("pretrain", "Train a tokenizer and a small Llama-family model from scratch on a corpus.");
        foreach (var o in new Option[] { data, outDir, vocab, hidden, layers, heads, maxLen, epochs, maxSteps, lr, batch, seed, saveEvery, logEvery, threads, resume, grouped, attentionInit, ropeTheta, stages, validation, evalEvery })
            command.Options.Add(o);
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(() =>
        {
            // The verb owns its process, so the thread count is set once here, before any tensor work.
            if (r.GetValue(threads) is > 0 and var n) TorchSharp.torch.set_num_threads(n);
            var options = new PretrainOptions
            {
                CorpusPath = r.GetValue(data)!, VocabSize = r.GetValue(vocab), HiddenSize = r.GetValue(hidden), Layers = r.GetValue(layers),
                Heads = r.GetValue(heads), MaxSeqLen = r.GetValue(maxLen), AttentionInit = r.GetValue(attentionInit), RopeTheta = r.GetValue(ropeTheta),
                Stages = (r.GetValue(stages) ?? []).Select(spec => ParseStage(spec, r.GetValue(batch), r.GetValue(lr))).ToList(),
                ValidationPath = r.GetValue(validation),
                Trainer = new TrainerOptions
                {
                    OutputDir = r.GetValue(outDir)!, Epochs = r.GetValue(epochs), MaxSteps = r.GetValue(maxSteps), LearningRate = r.GetValue(lr),
                    BatchSize = r.GetValue(batch), Seed = r.GetValue(seed), SaveEvery = r.GetValue(saveEvery), LogEvery = r.GetValue(logEvery),
                    Resume = r.GetValue(resume), WeightDecay = 0.1, GroupByLength = r.GetValue(grouped), EvalEvery = r.GetValue(evalEvery),
                },
            };
            var console = new TrainingProgressRenderer(CliOutput.Rich(CliOutput.For(r).Out));
            try
            {
                var result = new PretrainRecipe(options) { OnProgress = console.Report, OnMessage = console.Report }.Run(ct);
                console.Report($"{result.Parameters:N0} parameters, {result.Training.Steps} steps in {result.TrainingSeconds:F1} s → {result.ModelDir}");
                return Task.FromResult(ExitCode.Ok);
            }
            catch (Exception e) when (e is DatasetException or ModelLoadException or TokenizerLoadException or ArgumentException or FileNotFoundException or InvalidDataException)
            {
                throw new UserFacingException(e.Message, ExitCode.BadInput, e);
            }
            catch (TrainingDivergedException e)
            {
                throw new UserFacingException(e.Message, ExitCode.Failure, e);
            }
        }, r.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>
    /// <c>&lt;corpus&gt;:&lt;steps&gt;[:&lt;batch size&gt;[:&lt;peak lr&gt;]]</c>, read from the right so a corpus path may hold colons.
    /// </summary>
    internal static PretrainStage ParseStage(string spec, int defaultBatchSize, double defaultLearningRate)
    {
        var parts = spec.Split(':');
        // The numeric fields are the trailing ones; whatever precedes them is the path.
        var numeric = parts.Reverse().TakeWhile(p => double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)).Count();
        numeric = Math.Min(numeric, Math.Min(3, parts.Length - 1));
        if (numeric == 0)
            throw new UserFacingException($"--stage '{spec}': expected <corpus>:<steps>[:<batch size>[:<peak lr>]], e.g. drills.jsonl:300:32:0.01.", ExitCode.BadInput);
        var path = string.Join(':', parts[..^numeric]);
        var fields = parts[^numeric..];
        if (!int.TryParse(fields[0], out var steps) || steps <= 0)
            throw new UserFacingException($"--stage '{spec}': steps must be a positive whole number, got '{fields[0]}'.", ExitCode.BadInput);
        var batchSize = defaultBatchSize;
        if (fields.Length > 1 && (!int.TryParse(fields[1], out batchSize) || batchSize <= 0))
            throw new UserFacingException($"--stage '{spec}': batch size must be a positive whole number, got '{fields[1]}'.", ExitCode.BadInput);
        var learningRate = fields.Length > 2 ? double.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture) : defaultLearningRate;
        if (!double.IsFinite(learningRate) || learningRate <= 0)
            throw new UserFacingException($"--stage '{spec}': the learning rate must be a positive number, got '{fields[2]}'.", ExitCode.BadInput);
        return new PretrainStage(path, steps, batchSize, learningRate);
    }
}
