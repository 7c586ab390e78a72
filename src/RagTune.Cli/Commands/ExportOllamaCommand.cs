using System.CommandLine;
using RagTune.Models;
using RagTune.Models.Gguf;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune export ollama --model &lt;dir&gt; --out &lt;folder&gt; [--type …] [--adapter &lt;peft dir&gt;]</c>: writes
/// <c>model.gguf</c> and a <c>Modelfile</c> (FROM, TEMPLATE from the chat template, PARAMETER stop) into the folder, ready
/// for <c>ollama create &lt;name&gt; -f &lt;folder&gt;/Modelfile</c>.
/// </summary>
public sealed class ExportOllamaCommand : ICliCommand
{
    /// <inheritdoc />
    public string? Group => "export";

    /// <inheritdoc />
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = "Instruct checkpoint folder (with a chat template).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder to write model.gguf and Modelfile into.", Required = true };
        var type = new Option<string>("--type") { Description = "Weight matrices as f32, f16, bf16 or q8_0.", DefaultValueFactory = _ => "q8_0" };
        var adapter = new Option<string?>("--adapter") { Description = "PEFT LoRA folder to merge into the weights." };
        var command = new Command("ollama", "Export a model as GGUF plus an Ollama Modelfile.") { model, output, type, adapter };
        command.SetAction((ParseResult r, CancellationToken _) => CommandAction.RunAsync(() =>
        {
            var dir = r.GetValue(model)!;
            var outDir = r.GetValue(output)!;
            var error = r.InvocationConfiguration.Error;
            Directory.CreateDirectory(outDir);
            var gguf = Path.Combine(outDir, "model.gguf");
            ExportGgufCommand.Run(dir, gguf, r.GetValue(type)!, r.GetValue(adapter), adapterOnly: false, error);
            string modelfile;
            try
            {
                var template = ChatTemplate.FromFolder(gguf)
                    ?? throw new UserFacingException($"{dir} has no chat template; Ollama needs one to chat. HINT: export an instruct checkpoint.", ExitCode.BadInput);
                var tokenizer = TokenizerLoader.FromFolder(gguf);
                var addsBos = tokenizer.Encode("a").Count > tokenizer.Encode("a", addSpecialTokens: false).Count;
                var turn = OllamaModelfile.Derive(template, addsBos ? template.BosToken : null);
                modelfile = OllamaModelfile.Build("model.gguf", turn, OllamaModelfile.Stops(turn, template.EosToken));
            }
            catch (Exception e) when (e is TemplateException or ModelLoadException or TokenizerLoadException)
            {
                throw new UserFacingException(e.Message, ExitCode.BadInput, e);
            }
            File.WriteAllText(Path.Combine(outDir, "Modelfile"), modelfile);
            error.WriteLine($"[wrote {Path.Combine(outDir, "Modelfile")}; run: ollama create <name> -f {Path.Combine(outDir, "Modelfile")}]");
            return Task.FromResult(ExitCode.Ok);
        }, r.InvocationConfiguration.Error));
        return command;
    }
}
