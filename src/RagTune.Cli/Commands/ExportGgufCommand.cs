using System.CommandLine;
using RagTune.Models;
using RagTune.Models.Gguf;
using RagTune.Models.Tokenization;
using RagTune.Training.Lora;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune export gguf --model &lt;dir&gt; --out &lt;file.gguf&gt; [--type f32|f16|bf16|q8_0] [--adapter &lt;peft dir&gt;]
/// [--adapter-only]</c>: writes the model (LoRA merged when given) as a GGUF file for llama.cpp, Ollama and LM Studio, or
/// with <c>--adapter-only</c> the adapter as a GGUF LoRA file llama.cpp applies to the base model's GGUF.
/// </summary>
public sealed class ExportGgufCommand : ICliCommand
{
    /// <inheritdoc />
    public string? Group => "export";

    /// <inheritdoc />
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint folder (Llama, Mistral, Qwen2, SmolLM2), or an adapter-only folder.", Required = true };
        var output = new Option<string>("--out") { Description = "GGUF file to write.", Required = true };
        var type = new Option<string>("--type") { Description = "Weight matrices as f32, f16, bf16 or q8_0.", DefaultValueFactory = _ => "f32" };
        var adapter = new Option<string?>("--adapter") { Description = "PEFT LoRA folder to merge into the weights." };
        var adapterOnly = new Option<bool>("--adapter-only") { Description = "Write only the LoRA adapter as a GGUF adapter (for llama.cpp's --lora)." };
        var command = new Command("gguf", "Export a model (or its LoRA adapter) as GGUF for llama.cpp / Ollama.") { model, output, type, adapter, adapterOnly };
        command.SetAction((ParseResult r, CancellationToken _) => CommandAction.RunAsync(() =>
        {
            Run(r.GetValue(model)!, r.GetValue(output)!, r.GetValue(type)!, r.GetValue(adapter), r.GetValue(adapterOnly), r.InvocationConfiguration.Error);
            return Task.FromResult(ExitCode.Ok);
        }, r.InvocationConfiguration.Error));
        return command;
    }

    internal static void Run(string modelDir, string output, string type, string? adapter, bool adapterOnly, TextWriter log)
    {
        if (!Directory.Exists(modelDir)) throw new UserFacingException($"--model '{modelDir}' is not a folder.", ExitCode.NotFound);
        if (adapter is not null && !Directory.Exists(adapter)) throw new UserFacingException($"--adapter '{adapter}' is not a folder.", ExitCode.NotFound);
        var fileType = ParseType(type);
        try
        {
            if (adapterOnly) LoraGgufExport.ExportAdapter(modelDir, adapter, output);
            else LoraGgufExport.ExportMerged(modelDir, adapter, output, new GgufExportOptions
            {
                FileType = fileType,
                Name = Path.GetFileName(Path.GetFullPath(modelDir).TrimEnd('/')),
                Progress = new Progress<(int Done, int Total, string Tensor)>(p => { if (p.Done == p.Total) log.WriteLine($"[{p.Total} tensors written]"); }),
            });
        }
        catch (Exception e) when (e is ModelLoadException or TokenizerLoadException or Models.Templates.TemplateException)
        {
            throw new UserFacingException(e.Message, ExitCode.BadInput, e);
        }
        log.WriteLine($"[wrote {output}, {new FileInfo(output).Length / 1e6:F1} MB]");
    }

    internal static GgufFileType ParseType(string type) => type.ToLowerInvariant() switch
    {
        "f32" => GgufFileType.F32,
        "f16" => GgufFileType.F16,
        "bf16" => GgufFileType.BF16,
        "q8_0" => GgufFileType.Q8_0,
        _ => throw new UserFacingException($"--type '{type}' is not one of f32, f16, bf16, q8_0.", ExitCode.BadArguments),
    };
}
