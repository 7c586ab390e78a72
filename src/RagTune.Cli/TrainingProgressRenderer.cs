using RagTune.Training.Reporting;
using Spectre.Console;

namespace RagTune.Cli;

/// <summary>Renders fine-tuning progress lines (step, loss, lr, tokens/s, ETA), evaluations and messages with Spectre.Console.</summary>
internal sealed class TrainingProgressRenderer(IAnsiConsole console) : IProgress<TrainingProgress>, IProgress<string>
{
    /// <summary>Writes one line for <paramref name="p"/>.</summary>
    public void Report(TrainingProgress p)
    {
        if (p.Eval is { } e)
        {
            var cls = e.Accuracy is { } a ? $" accuracy [green]{a:P2}[/] macro-F1 {e.MacroF1:F4}" : "";
            console.MarkupLine($"[blue]eval[/] step {p.Step}: loss {e.Loss:F4} ppl {e.Perplexity:F2}{cls}");
            return;
        }
        var eta = p.Eta.TotalHours >= 1 ? p.Eta.ToString(@"h\:mm\:ss") : p.Eta.ToString(@"m\:ss");
        console.MarkupLine($"step [bold]{p.Step}[/]/{p.TotalSteps}  loss [yellow]{p.Loss:F4}[/]  lr {p.LearningRate:E2}  " +
                           $"|g| {p.GradNorm:F3}  {p.TokensPerSecond:F0} tok/s  ETA {eta}");
    }

    /// <summary>Writes a plain message (escaped).</summary>
    public void Report(string text) => console.MarkupLine(Markup.Escape(text));
}
