using System.CommandLine;
using RagTune.Application;
using RagTune.Training;
using RagTune.Training.Embeddings;
using RagTune.Training.Lora;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune finetune --task embed</c>: the verb's options mapped onto <see cref="EmbeddingFineTuneRecipe"/> (data: JSONL
/// query/positive[/negative] pairs; <c>--model</c> may be a built-in encoder name). Kept apart from the LM tasks, whose
/// recipe and options differ.
/// </summary>
internal static class FinetuneEmbedTask
{
    public static async Task<ExitCode> RunAsync(ParseResult r, FinetuneOptionSet o, CancellationToken ct)
    {
        var method = r.GetValue(o.Method) switch
        {
            "lora" => FineTuneMethod.Lora, "full" => FineTuneMethod.Full,
            var m => throw new UserFacingException($"--method '{m}': expected lora or full.", ExitCode.BadArguments),
        };
        var targets = r.GetValue(o.Target)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var options = new EmbeddingFineTuneOptions
        {
            ModelDir = ModelClients.ResolveEmbeddingModel(r.GetValue(o.Model)!), DataPath = r.GetValue(o.Data)!, EvalPath = r.GetValue(o.Eval),
            OutputDir = r.GetValue(o.Out)!, Method = method, Epochs = r.GetValue(o.Epochs), BatchSize = r.GetValue(o.Batch),
            // The LM default (2e-4) is far too high for full fine-tuning of a pretrained encoder; LoRA takes it as given.
            LearningRate = r.GetResult(o.Lr) is null or { Implicit: true } && method == FineTuneMethod.Full ? 2e-5 : r.GetValue(o.Lr),
            WarmupRatio = r.GetValue(o.Warmup), WeightDecay = r.GetValue(o.WeightDecay), Seed = r.GetValue(o.Seed),
            MaxTokens = r.GetResult(o.MaxLen) is null or { Implicit: true } ? null : r.GetValue(o.MaxLen),
            Lora = new LoraConfig { R = r.GetValue(o.LoraR), Alpha = r.GetValue(o.LoraAlpha), Dropout = 0, TargetModules = targets },
        };
        var cli = CliOutput.For(r);
        var log = r.GetValue(o.LogEvery);
        var progress = new InlineProgress<EmbeddingFineTuneProgress>(p =>
        {
            if (p.Message is not null) cli.Note(p.Message);
            else if (p.Step % Math.Max(1, log) == 0 || p.Step == p.TotalSteps) cli.Note($"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4}");
        });
        var result = await EmbeddingFineTuneService.RunAsync(options, progress, ct);
        cli.Line($"{result.Steps} steps, loss {result.FirstLoss:F4} → {result.LastLoss:F4}" +
            (result.RecallBefore is { } b ? $", held-out recall@10 {b:P1} → {result.RecallAfter:P1}" : "") + $"; saved to {options.OutputDir}");
        return ExitCode.Ok;
    }
}

/// <summary>The <c>finetune</c> options the embed task reads.</summary>
internal sealed record FinetuneOptionSet(Option<string> Model, Option<string> Data, Option<string?> Eval, Option<string> Out, Option<string> Method,
    Option<string?> Target, Option<int> Epochs, Option<int> Batch, Option<double> Lr, Option<double> Warmup, Option<double> WeightDecay,
    Option<int> Seed, Option<int> MaxLen, Option<int> LoraR, Option<double> LoraAlpha, Option<int> LogEvery);
