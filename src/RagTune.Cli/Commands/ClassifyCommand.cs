using System.CommandLine;
using System.Globalization;
using RagTune.Application;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune classify --model &lt;dir&gt; (--text &lt;t&gt; | --data &lt;file.jsonl&gt;)</c>: one text prints its label and
/// probability; a JSONL file prints one prediction per line and, when the lines carry labels, a last line
/// <c>accuracy=&lt;a&gt; macro_f1=&lt;f&gt;</c> (macro-F1 as sklearn's, over the labels in the data and the predictions).
/// </summary>
public sealed class ClassifyCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = "Sequence-classification model folder (e.g. ragtune finetune --task classify output).", Required = true };
        var text = new Option<string?>("--text") { Description = "One text to classify." };
        var data = new Option<string?>("--data") { Description = "JSONL with {\"text\"[, \"label\"]} per line." };
        var maxLen = new Option<int>("--max-seq-len") { DefaultValueFactory = _ => 512, Description = "Truncate texts to this many tokens." };
        var command = new Command("classify", "Predict labels with a sequence-classification model.");
        foreach (var o in new Option[] { model, text, data, maxLen }) command.Options.Add(o);
        // No Cancelled exit code, as before: Ctrl+C is left to System.CommandLine.
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(() =>
        {
            var output = CliOutput.For(r);
            if ((r.GetValue(text) is null) == (r.GetValue(data) is null))
                throw new UserFacingException("pass exactly one of --text or --data.", ExitCode.BadArguments);
            using var classifier = Classifier.Open(r.GetValue(model)!, r.GetValue(maxLen));
            if (r.GetValue(text) is { } one)
            {
                Print(output, classifier.Predict(one));
                return Task.FromResult(ExitCode.Ok);
            }
            var report = ClassifyService.ClassifyFile(classifier, r.GetValue(data)!, new InlineProgress<LabelledPrediction>(p => Print(output, p.Prediction)), ct);
            if (report.Accuracy is { } acc)
                output.Line(string.Create(CultureInfo.InvariantCulture, $"accuracy={acc:F4} macro_f1={report.MacroF1:F4}"));
            return Task.FromResult(ExitCode.Ok);
        }, r.InvocationConfiguration.Error));
        return command;
    }

    static void Print(CliOutput output, Prediction p) =>
        output.Line(string.Create(CultureInfo.InvariantCulture, $"{p.Label}\t{p.Probability:F4}"));
}
