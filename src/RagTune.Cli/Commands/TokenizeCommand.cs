using System.CommandLine;
using RagTune.Application;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune tokenize --model &lt;dir&gt; --text &lt;text&gt; [--no-special]</c>: prints the token ids of the text,
/// comma-separated, as the checkpoint's Hugging Face tokenizer gives them (special tokens as its config says).
/// </summary>
public sealed class TokenizeCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint or tokenizer folder (tokenizer.json, vocab.json+merges.txt, vocab.txt or tokenizer.model), or a GGUF file.", Required = true };
        var text = new Option<string>("--text") { Description = "Text to tokenize.", Required = true };
        var noSpecial = new Option<bool>("--no-special") { Description = "Do not add special tokens (BOS, [CLS]/[SEP], …)." };
        var command = new Command("tokenize", "Print the token ids of a text, as the model's Hugging Face tokenizer gives them.");
        command.Options.Add(model);
        command.Options.Add(text);
        command.Options.Add(noSpecial);
        command.SetAction((ParseResult result) => CommandAction.Run(() =>
        {
            var output = CliOutput.For(result);
            var tokenizer = ModelClients.LoadTokenizer(result.GetValue(model)!);
            output.Line(string.Join(",", tokenizer.Encode(result.GetValue(text) ?? "", addSpecialTokens: !result.GetValue(noSpecial))));
            return ExitCode.Ok;
        }, result.InvocationConfiguration.Error));
        return command;
    }
}
