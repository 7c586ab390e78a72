using System.CommandLine;
using RagTune.Models;
using RagTune.Models.Onnx;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune model import-onnx &lt;file.onnx&gt; --vocab vocab.txt --out &lt;dir&gt; [--pooling mean|cls] [--query-prefix …]
/// [--max-seq-length N]</c>: converts an ONNX export of a BERT-family sentence encoder into a Hugging Face folder
/// (<see cref="OnnxBertImporter"/>) usable as <c>--model</c> and <c>--embed-model</c>.
/// </summary>
public sealed class ModelImportOnnxCommand : ICliCommand
{
    /// <inheritdoc />
    public string? Group => "model";

    /// <inheritdoc />
    public Command Build()
    {
        var file = new Argument<string>("file.onnx") { Description = "ONNX export of a BERT-family encoder (BertModel: input_ids, attention_mask, token_type_ids)." };
        var vocab = new Option<string>("--vocab") { Description = "The model's WordPiece vocab.txt.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder to create (must not exist or be empty).", Required = true };
        var pooling = new Option<string>("--pooling") { Description = "Sentence pooling: mean or cls.", DefaultValueFactory = _ => "mean" };
        pooling.AcceptOnlyFromAmong("mean", "cls");
        var prefix = new Option<string?>("--query-prefix") { Description = "Text put before search queries (e.g. arctic-embed's instruction)." };
        var maxLength = new Option<int?>("--max-seq-length") { Description = "Tokens per input (default: the model's position limit)." };
        var command = new Command("import-onnx", "Convert an ONNX BERT-family sentence encoder into a Hugging Face model folder.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { vocab, output, pooling, prefix, maxLength }) command.Options.Add(o);
        command.SetAction((ParseResult r, CancellationToken _) => CommandAction.RunAsync(() =>
        {
            var options = new OnnxImportOptions(r.GetValue(pooling) == "cls" ? PoolingMode.Cls : PoolingMode.Mean,
                MaxSequenceLength: r.GetValue(maxLength), QueryPrefix: r.GetValue(prefix));
            var outDir = r.GetValue(output)!;
            ModelConfig config;
            try
            {
                config = OnnxBertImporter.Import(r.GetValue(file)!, r.GetValue(vocab)!, outDir, options);
            }
            catch (ModelLoadException e)
            {
                throw new UserFacingException(e.Message, File.Exists(e.FilePath) ? ExitCode.BadInput : ExitCode.NotFound, e);
            }
            catch (IOException e)
            {
                throw new UserFacingException(e.Message, ExitCode.BadInput, e);
            }
            CliOutput.For(r).Line($"{outDir}: BertModel, {config.NumHiddenLayers} layers, hidden {config.HiddenSize}, " +
                $"{config.NumAttentionHeads} heads, vocab {config.VocabSize}, {options.Pooling.ToString().ToLowerInvariant()} pooling");
            return Task.FromResult(ExitCode.Ok);
        }, r.InvocationConfiguration.Error));
        return command;
    }
}
