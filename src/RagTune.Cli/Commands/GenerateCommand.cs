using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RagTune.Application;
using RagTune.Models.Generation;
using RagTune.Models.Hub;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune generate --model &lt;dir|org/name&gt; (--prompt &lt;text&gt; | --prompt-ids &lt;i,j,k&gt;) …</c>: continues a
/// prompt with a local decoder. With <c>--prompt-ids</c> the last line printed is the new token ids, comma-separated;
/// temperature 0 (the default) is greedy. A hub repo id is downloaded into the hub cache first (cache only with
/// <c>--offline</c>). Timing goes to stderr.
/// </summary>
public sealed class GenerateCommand : ICliCommand
{
    readonly Func<HubOptions> _hubOptions;

    /// <summary>The verb as the CLI builds it: hub settings from HF_* environment variables.</summary>
    public GenerateCommand() : this(() => HubOptions.FromEnvironment()) { }

    /// <summary>With other hub settings (tests).</summary>
    internal GenerateCommand(Func<HubOptions> hubOptions) => _hubOptions = hubOptions;

    /// <inheritdoc />
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = "Model folder, GGUF file, or a Hugging Face repo id (org/name) to download into the hub cache.", Required = true };
        var revision = new Option<string>("--revision") { Description = "Hub revision (branch, tag or commit) for a repo id.", DefaultValueFactory = _ => "main" };
        var offline = new Option<bool>("--offline") { Description = "Use the hub cache only; fail if the model is not there." };
        var prompt = new Option<string>("--prompt") { Description = "Prompt text (encoded with the model's tokenizer)." };
        var promptIds = new Option<string>("--prompt-ids") { Description = "Prompt token ids, comma-separated; the last output line is the new ids." };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Tokens to generate at most.", DefaultValueFactory = _ => 128 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature; 0 = greedy.", DefaultValueFactory = _ => 0f };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling mass (1 = off).", DefaultValueFactory = _ => 1f };
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely tokens (0 = off).", DefaultValueFactory = _ => 0 };
        var penalty = new Option<float>("--repetition-penalty") { Description = "HF repetition penalty (1 = off).", DefaultValueFactory = _ => 1f };
        var seed = new Option<long?>("--seed") { Description = "Seed for reproducible sampling." };
        var chat = new Option<bool>("--chat") { Description = "Wrap --prompt as a user message in the model's chat template." };
        var stream = new Option<bool>("--stream") { Description = "Print text as it is generated." };
        var weights = CommandOptions.Weights();
        var command = new Command("generate", "Generate text (or token ids) with a local causal language model.")
        {
            model, revision, offline, prompt, promptIds, maxNew, temperature, topP, topK, penalty, seed, chat, stream, weights,
        };
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(async () =>
        {
            var output = CliOutput.For(r);
            var request = new GenerateRequest
            {
                Model = r.GetValue(model)!, Prompt = r.GetValue(prompt), PromptIds = r.GetValue(promptIds) is { } ids ? ParseIds(ids) : null,
                Chat = r.GetValue(chat),
                Options = new GenerationOptions
                {
                    MaxNewTokens = r.GetValue(maxNew), Temperature = r.GetValue(temperature), TopP = r.GetValue(topP),
                    TopK = r.GetValue(topK), RepetitionPenalty = r.GetValue(penalty), Seed = r.GetValue(seed),
                },
                ModelOptions = CommandOptions.ModelOptions(CommandOptions.Precision(r.GetValue(weights))) with
                {
                    Hub = _hubOptions(), Revision = r.GetValue(revision)!, Offline = r.GetValue(offline),
                },
            };
            using var session = await GenerateService.OpenAsync(request, output.Notes, ct);
            await RenderAsync(session, r.GetValue(stream), printIds: request.PromptIds is not null, output, ct);
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error, ct));
        return command;
    }

    static async Task RenderAsync(GenerationSession session, bool stream, bool printIds, CliOutput output, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        List<int> ids;
        if (stream)
        {
            ids = [];
            GenerationFinishReason? finish = null;
            await foreach (var update in session.StreamAsync(ct))
            {
                if (update.FinishReason != GenerationFinishReason.StopToken) ids.Add(update.TokenId);
                finish = update.FinishReason ?? finish;
                if (update.TextDelta is { Length: > 0 } delta) { output.Out.Write(delta); output.Out.Flush(); }
            }
            if (session.Tokenizer is not null) output.Line();
            output.Note($"[{ids.Count} tokens, {finish}]");
        }
        else
        {
            var result = await session.GenerateAsync(ct);
            ids = [.. result.TokenIds];
            if (result.Text is not null) output.Line(result.Text);
            output.Note($"[{ids.Count} tokens, {result.FinishReason}]");
        }
        var seconds = stopwatch.Elapsed.TotalSeconds;
        output.Note($"[prompt {session.Prompt.Count} tokens, {ids.Count} new in {seconds:F2} s, {ids.Count / Math.Max(seconds, 1e-9):F1} tokens/s]");
        if (printIds) output.Line(string.Join(",", ids));
    }

    static IReadOnlyList<int> ParseIds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var ids = new List<int>();
        foreach (var p in parts)
            ids.Add(int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id >= 0
                ? id
                : throw new UserFacingException($"--prompt-ids: '{p}' is not a token id (expected e.g. 1,15043,3186).", ExitCode.BadArguments));
        return ids.Count > 0 ? ids : throw new UserFacingException("--prompt-ids is empty.", ExitCode.BadArguments);
    }
}
