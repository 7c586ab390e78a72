using System.CommandLine;
using RagTune.Application;
using RagTune.Training;
using RagTune.Training.Data;
using RagTune.Training.Lora;
using Spectre.Console;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune finetune --model &lt;dir&gt; --data &lt;train.jsonl&gt; --task causal|sft|classify|embed --method lora|full --out &lt;dir&gt; …</c>:
/// fine-tunes a Hugging Face model folder and writes a Hugging Face folder (full, or LoRA with <c>--merge</c>) and/or a
/// PEFT adapter; checkpoints make <c>--resume</c> continue exactly.
/// </summary>
public sealed class FinetuneCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = "Hugging Face model folder.", Required = true };
        var data = new Option<string>("--data") { Description = "Training JSONL ({\"text\"}, {\"messages\"}, {\"prompt\",\"completion\"} or {\"text\",\"label\"}).", Required = true };
        var eval = new Option<string?>("--eval") { Description = "Eval JSONL (default: hold out --eval-fraction of --data)." };
        var evalFraction = new Option<double>("--eval-fraction") { Description = "Fraction of --data held out for evaluation when --eval is absent.", DefaultValueFactory = _ => 0.0 };
        var task = new Option<string>("--task") { Description = "causal | sft | classify | embed (retriever: JSONL query/positive[/negative] pairs).", Required = true };
        var method = new Option<string>("--method") { Description = "lora | full.", DefaultValueFactory = _ => "lora" };
        var loraR = new Option<int>("--lora-r") { DefaultValueFactory = _ => 8, Description = "LoRA rank." };
        var loraAlpha = new Option<double>("--lora-alpha") { DefaultValueFactory = _ => 16, Description = "LoRA alpha (scaling alpha/r)." };
        var loraDropout = new Option<double>("--lora-dropout") { DefaultValueFactory = _ => 0.05, Description = "Dropout on the LoRA input." };
        var rslora = new Option<bool>("--rslora") { Description = "Scale by alpha/sqrt(r) (rsLoRA)." };
        var target = new Option<string?>("--target") { Description = "Comma-separated module names or all-linear (default: the family's query/value projections)." };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 1, Description = "Passes over the data." };
        var maxSteps = new Option<int>("--max-steps") { DefaultValueFactory = _ => 0, Description = "Optimizer steps (overrides --epochs)." };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => 2e-4, Description = "Peak learning rate." };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 8, Description = "Sequences per micro-batch." };
        var accum = new Option<int>("--grad-accum") { DefaultValueFactory = _ => 1, Description = "Micro-batches per optimizer step." };
        var maxLen = new Option<int>("--max-seq-len") { DefaultValueFactory = _ => 512, Description = "Longest sequence (longer ones are truncated with a warning)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 42, Description = "Seed for data order, initialisation and dropout." };
        var saveEvery = new Option<int>("--save-every") { DefaultValueFactory = _ => 0, Description = "Checkpoint every N steps." };
        var evalEvery = new Option<int>("--eval-every") { DefaultValueFactory = _ => 0, Description = "Evaluate every N steps (default: each epoch)." };
        var patience = new Option<int>("--early-stopping") { DefaultValueFactory = _ => 0, Description = "Stop after N evaluations without improvement." };
        var warmup = new Option<double>("--warmup-ratio") { DefaultValueFactory = _ => 0.05, Description = "Fraction of steps of linear warmup." };
        var weightDecay = new Option<double>("--weight-decay") { DefaultValueFactory = _ => 0.01, Description = "AdamW weight decay (not on norms, biases, embeddings)." };
        var gradCkpt = new Option<bool>("--gradient-checkpointing") { Description = "Recompute blocks in backward to save memory." };
        var bf16 = new Option<bool>("--bf16") { Description = "LoRA: store the frozen base weights in bf16 (half their memory); the adapter trains in fp32." };
        var logEvery = new Option<int>("--log-every") { DefaultValueFactory = _ => 10, Description = "Progress line every N steps." };
        var outDir = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var grouped = new Option<bool>("--group-by-length") { Description = "Batch examples of similar length together (less padding when lengths vary widely)." };
        var noPacking = new Option<bool>("--no-packing") { Description = "Causal task: one sequence per document instead of documents concatenated into full --max-seq-len blocks (pair with --group-by-length)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in --out." };
        var merge = new Option<bool>("--merge") { Description = "LoRA: also write the merged plain checkpoint." };
        var command = new Command("finetune", "Fine-tune a model (full or LoRA) on JSONL data.");
        foreach (var o in new Option[] { model, data, eval, evalFraction, task, method, loraR, loraAlpha, loraDropout, rslora, target, epochs, maxSteps, lr,
                                         batch, accum, maxLen, seed, saveEvery, evalEvery, patience, warmup, weightDecay, gradCkpt, bf16, logEvery, outDir, resume, merge, grouped, noPacking })
            command.Options.Add(o);
        var embedOptions = new FinetuneOptionSet(model, data, eval, outDir, method, target, epochs, batch, lr, warmup, weightDecay, seed, maxLen, loraR, loraAlpha, logEvery);
        // No Cancelled exit code, as before: Ctrl+C is left to System.CommandLine.
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(async () =>
        {
            if (r.GetValue(task) == "embed") return await FinetuneEmbedTask.RunAsync(r, embedOptions, ct);
            var taskValue = r.GetValue(task) switch
            {
                "causal" => TrainingTask.Causal, "sft" => TrainingTask.Sft, "classify" => TrainingTask.Classify,
                var t => throw new UserFacingException($"--task '{t}': expected causal, sft or classify.", ExitCode.BadArguments),
            };
            var methodValue = r.GetValue(method) switch
            {
                "lora" => FineTuneMethod.Lora, "full" => FineTuneMethod.Full,
                var m => throw new UserFacingException($"--method '{m}': expected lora or full.", ExitCode.BadArguments),
            };
            var targets = r.GetValue(target)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            var options = new FineTuneOptions
            {
                ModelDir = r.GetValue(model)!, DataPath = r.GetValue(data)!, EvalPath = r.GetValue(eval), EvalFraction = r.GetValue(evalFraction),
                Task = taskValue, Method = methodValue, MaxSeqLen = r.GetValue(maxLen), Packing = !r.GetValue(noPacking), Merge = r.GetValue(merge),
                GradientCheckpointing = r.GetValue(gradCkpt),
                Bf16 = r.GetValue(bf16),
                Lora = new LoraConfig
                {
                    R = r.GetValue(loraR), Alpha = r.GetValue(loraAlpha), Dropout = r.GetValue(loraDropout), UseRsLora = r.GetValue(rslora), TargetModules = targets,
                },
                Trainer = new TrainerOptions
                {
                    OutputDir = r.GetValue(outDir)!, Epochs = r.GetValue(epochs), MaxSteps = r.GetValue(maxSteps), LearningRate = r.GetValue(lr),
                    BatchSize = r.GetValue(batch), GradAccumSteps = r.GetValue(accum), Seed = r.GetValue(seed), SaveEvery = r.GetValue(saveEvery),
                    EvalEvery = r.GetValue(evalEvery), EarlyStoppingPatience = r.GetValue(patience), WarmupRatio = r.GetValue(warmup),
                    WeightDecay = r.GetValue(weightDecay), LogEvery = r.GetValue(logEvery), Resume = r.GetValue(resume),
                    GroupByLength = r.GetValue(grouped),
                },
            };
            var renderer = new TrainingProgressRenderer(CliOutput.Rich(CliOutput.For(r).Out));
            await FineTuneService.RunAsync(options, renderer, renderer, ct);
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error));
        return command;
    }
}
