using System.CommandLine;
using RagTune.Models.Tokenization;

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
        command.SetAction((ParseResult result, CancellationToken _) =>
        {
            var dir = result.GetValue(model)!;
            ITokenizer tokenizer;
            try
            {
                tokenizer = TokenizerLoader.FromFolder(dir);
            }
            catch (TokenizerLoadException e)
            {
                // Reported here rather than thrown: the message is complete and names the file.
                Console.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult((int)(Directory.Exists(dir) || File.Exists(dir) ? ExitCode.BadInput : ExitCode.NotFound));
            }
            var ids = tokenizer.Encode(result.GetValue(text) ?? "", addSpecialTokens: !result.GetValue(noSpecial));
            Console.Out.WriteLine(string.Join(",", ids));
            return Task.FromResult((int)ExitCode.Ok);
        });
        return command;
    }
}
