using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using RagTune.Models;
using RagTune.Models.Generation;
using RagTune.Models.Gguf;
using RagTune.Models.Kernels;
using RagTune.Models.Hub;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using RagTune.Training.Lora;

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
            var output = r.InvocationConfiguration.Output;
            var error = r.InvocationConfiguration.Error;
            var settings = new Settings(r.GetValue(model)!, r.GetValue(revision)!, r.GetValue(offline), r.GetValue(prompt),
                r.GetValue(promptIds), r.GetValue(chat), r.GetValue(stream), CommandOptions.Precision(r.GetValue(weights)), new GenerationOptions
                {
                    MaxNewTokens = r.GetValue(maxNew), Temperature = r.GetValue(temperature), TopP = r.GetValue(topP),
                    TopK = r.GetValue(topK), RepetitionPenalty = r.GetValue(penalty), Seed = r.GetValue(seed),
                });
            return await RunAsync(settings, output, error, ct);
        }, r.InvocationConfiguration.Error, ct));
        return command;
    }

    sealed record Settings(string Model, string Revision, bool Offline, string? Prompt, string? PromptIds, bool Chat, bool Stream,
        WeightPrecision Weights, GenerationOptions Options);

    async Task<ExitCode> RunAsync(Settings s, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if ((s.Prompt is null) == (s.PromptIds is null))
            throw new UserFacingException("Pass exactly one of --prompt <text> or --prompt-ids <i,j,k>.", ExitCode.BadArguments);
        if (s.Chat && s.Prompt is null) throw new UserFacingException("--chat needs --prompt <text>.", ExitCode.BadArguments);
        try
        {
            s.Options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UserFacingException($"{e.ParamName} = {e.ActualValue} is out of range. {e.Message.Split('\n')[0]}", ExitCode.BadArguments);
        }

        var dir = await ResolveModelAsync(s, error, ct);
        using var model = Load(() => AdapterFolder.LoadCausalLanguageModel(dir));
        ReducedPrecision.Apply(model, s.Weights);
        var hasTokenizerFiles = new[] { "tokenizer.json", "vocab.json", "vocab.txt", "tokenizer.model" }.Any(f => File.Exists(Path.Combine(dir, f)))
            || GgufModelLoader.IsGgufFile(dir);
        var tokenizer = s.Prompt is not null || hasTokenizerFiles ? Load(() => TokenizerLoader.FromFolder(dir)) : null;
        var options = s.Options with { StopTokenIds = GenerationConfig.FromFolder(dir).StopTokenIds };
        var prompt = s.PromptIds is not null ? ParseIds(s.PromptIds) : EncodePrompt(dir, tokenizer!, s.Prompt!, s.Chat);
        if (prompt.FirstOrDefault(i => i >= model.Config.VocabSize, -1) is var bad and >= 0)
            throw new UserFacingException($"Prompt token id {bad} is outside the model's vocabulary (size {model.Config.VocabSize}).", ExitCode.BadArguments);
        var generator = new TextGenerator(model, tokenizer);

        var stopwatch = Stopwatch.StartNew();
        List<int> ids;
        if (s.Stream)
        {
            ids = [];
            GenerationFinishReason? finish = null;
            await foreach (var update in generator.GenerateStreamingAsync(prompt, options, ct))
            {
                if (update.FinishReason != GenerationFinishReason.StopToken) ids.Add(update.TokenId);
                finish = update.FinishReason ?? finish;
                if (update.TextDelta is { Length: > 0 } delta) { output.Write(delta); output.Flush(); }
            }
            if (tokenizer is not null) output.WriteLine();
            error.WriteLine($"[{ids.Count} tokens, {finish}]");
        }
        else
        {
            var result = await Task.Run(() => generator.Generate(prompt, options, ct), ct);
            ids = [.. result.TokenIds];
            if (result.Text is not null) output.WriteLine(result.Text);
            error.WriteLine($"[{ids.Count} tokens, {result.FinishReason}]");
        }
        var seconds = stopwatch.Elapsed.TotalSeconds;
        error.WriteLine($"[prompt {prompt.Count} tokens, {ids.Count} new in {seconds:F2} s, {ids.Count / Math.Max(seconds, 1e-9):F1} tokens/s]");
        if (s.PromptIds is not null) output.WriteLine(string.Join(",", ids));
        return ExitCode.Ok;
    }

    async Task<string> ResolveModelAsync(Settings s, TextWriter error, CancellationToken ct)
    {
        if (Directory.Exists(s.Model) || GgufModelLoader.IsGgufFile(s.Model)) return s.Model;
        if (!HubDownloader.LooksLikeRepoId(s.Model))
            throw new UserFacingException($"--model '{s.Model}' is neither a folder nor a hub repo id (org/name).", ExitCode.NotFound);
        var options = _hubOptions();
        options = options with { Offline = options.Offline || s.Offline, AllowPatterns = options.AllowPatterns ?? HubOptions.ModelFilePatterns };
        using var hub = new HubDownloader(options);
        try
        {
            if (!options.Offline) error.WriteLine($"[fetching {s.Model}@{s.Revision} from {options.Endpoint} into {options.CacheDirectory}]");
            return await hub.DownloadAsync(s.Model, s.Revision, ct);
        }
        catch (HubException e)
        {
            throw new UserFacingException(e.Message, ExitCode.NotFound, e);
        }
        catch (HttpRequestException e)
        {
            throw new UserFacingException($"Could not download '{s.Model}': {e.Message}", ExitCode.NotFound, e);
        }
    }

    static IReadOnlyList<int> EncodePrompt(string dir, ITokenizer tokenizer, string prompt, bool chat)
    {
        if (!chat) return tokenizer.Encode(prompt);
        var template = Load(() => ChatTemplate.FromFolder(dir)) ?? throw new UserFacingException(
            $"{dir} has no chat template. HINT: drop --chat, or use an instruct checkpoint.", ExitCode.BadInput);
        // The template writes BOS itself, so no special tokens are added (as apply_chat_template).
        return tokenizer.Encode(template.Render([new ChatMessage(ChatRole.User, prompt)], addGenerationPrompt: true), addSpecialTokens: false);
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

    /// <summary>Turns the engine's load errors (complete messages naming the file) into user-facing errors.</summary>
    static T Load<T>(Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is ModelLoadException or TokenizerLoadException or TemplateException)
        {
            throw new UserFacingException(e.Message, ExitCode.BadInput, e);
        }
    }
}
