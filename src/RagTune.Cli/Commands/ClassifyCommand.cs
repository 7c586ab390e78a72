using System.CommandLine;
using System.Globalization;
using RagTune.Models;
using RagTune.Models.Tokenization;
using RagTune.Training.Data;
using RagTune.Training.Lora;
using RagTune.Training.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune classify --model &lt;dir&gt; (--text &lt;t&gt; | --data &lt;file.jsonl&gt;)</c>: one text prints its label and
/// probability; a JSONL file prints one prediction per line and, when the lines carry labels, a last line
/// <c>accuracy=&lt;a&gt; macro_f1=&lt;f&gt;</c>.
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
        // Console.Error and no Cancelled exit code, as before: Ctrl+C is left to System.CommandLine.
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(() =>
        {
            var dir = r.GetValue(model)!;
            if ((r.GetValue(text) is null) == (r.GetValue(data) is null))
                throw new UserFacingException("pass exactly one of --text or --data.", ExitCode.BadArguments);
            ISequenceClassifier classifier;
            ITokenizer tokenizer;
            try
            {
                classifier = AdapterFolder.LoadSequenceClassifier(dir);
                tokenizer = TokenizerLoader.FromFolder(dir);
            }
            catch (Exception e) when (e is ModelLoadException or TokenizerLoadException)
            {
                throw new UserFacingException(e.Message, Directory.Exists(dir) ? ExitCode.BadInput : ExitCode.NotFound, e);
            }
            using var _ = classifier;
            var labels = classifier.Config.Id2Label;
            string Name(int id) => labels.TryGetValue(id, out var n) ? n : $"LABEL_{id}";
            var pad = tokenizer.PadTokenId ?? tokenizer.EosTokenId ?? 0;
            (int Id, float P) Predict(string t)
            {
                using var scope = NewDisposeScope();
                using var __ = no_grad();
                var ids = tokenizer.Encode(t, addSpecialTokens: true).Take(r.GetValue(maxLen)).ToArray();
                using var batch = TrainingBatch.Collate([TrainingExample.ForClass(ids, 0)], pad, classification: true);
                var probs = classifier.Forward(batch.InputIds, batch.AttentionMask).softmax(-1)[0];
                var id = (int)probs.argmax().item<long>();
                return (id, probs[id].item<float>());
            }
            if (r.GetValue(text) is { } one)
            {
                var (id, p) = Predict(one);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Name(id)}\t{p:F4}"));
                return Task.FromResult(ExitCode.Ok);
            }
            List<JsonlReader.Record> records;
            try { records = JsonlReader.Read(r.GetValue(data)!); }
            catch (DatasetException e) { throw new UserFacingException(e.Message, ExitCode.BadInput, e); }
            var label2id = labels.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
            var gold = new List<int>();
            var pred = new List<int>();
            foreach (var rec in records)
            {
                ct.ThrowIfCancellationRequested();
                string t;
                try { t = JsonlReader.RequireString(rec, "text", r.GetValue(data)!); }
                catch (DatasetException e) { throw new UserFacingException(e.Message, ExitCode.BadInput, e); }
                var (id, p) = Predict(t);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Name(id)}\t{p:F4}"));
                if (rec.Json.TryGetProperty("label", out var l) && l.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    if (!label2id.TryGetValue(l.GetString()!, out var g))
                        throw new UserFacingException($"{r.GetValue(data)}:{rec.Line}: label \"{l.GetString()}\" is not one of the model's labels ({string.Join(", ", label2id.Keys)}).");
                    gold.Add(g);
                    pred.Add(id);
                }
            }
            if (gold.Count > 0)
            {
                var (acc, f1) = EvalMetrics.Classification(gold, pred, Math.Max(labels.Count, 1));
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy={acc:F4} macro_f1={f1:F4}"));
            }
            return Task.FromResult(ExitCode.Ok);
        }, Console.Error));
        return command;
    }
}
