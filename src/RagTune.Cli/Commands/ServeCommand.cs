using System.CommandLine;
using RagTune.Application;
using RagTune.Server;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune serve --model &lt;dir&gt; [--model &lt;dir&gt;…] [--embed-model &lt;dir&gt;] [--kb &lt;dir&gt;…] --urls http://127.0.0.1:8080
/// [--api-key-file f] [--max-batch 8] [--queue 64]</c>: the OpenAI-compatible HTTP server (and web UI) until Ctrl+C.
/// A model's id in <c>/v1/models</c> is its folder name.
/// </summary>
public sealed class ServeCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build()
    {
        var models = new Option<string[]>("--model") { Description = "Model folder or hub repo id (org/name, from the hub cache or downloaded) to serve (repeatable); its id is the folder name or the repo id.", AllowMultipleArgumentsPerToken = false };
        var embed = new Option<string?>("--embed-model") { Description = "Encoder for /v1/embeddings and knowledge bases: built-in minilm or arctic-xs, or a folder." };
        var kbs = new Option<string[]>("--kb") { Description = "Knowledge-base folder to open (repeatable)." };
        var urls = new Option<string[]>("--urls") { Description = "Listen address(es); loopback by default.", DefaultValueFactory = _ => ["http://127.0.0.1:8080"] };
        var keys = new Option<string?>("--api-key-file") { Description = "File with one API key per line; requests to /v1 and /api then need 'Authorization: Bearer <key>'." };
        var maxBatch = new Option<int>("--max-batch") { Description = "Requests decoded together per model (continuous batching).", DefaultValueFactory = _ => 8 };
        var queue = new Option<int>("--queue") { Description = "Requests waiting beyond the batch; past it the server answers 429.", DefaultValueFactory = _ => 64 };
        var context = new Option<int?>("--context") { Description = "Positions per request (prompt + answer); default the model's context, at most 2048." };
        var data = new Option<string?>("--data-dir") { Description = "Where uploads, knowledge bases, jobs and runs are stored." };
        var command = new Command("serve", "Serve models over an OpenAI-compatible HTTP API (chat, completions, embeddings) with continuous batching.")
        {
            models, embed, kbs, urls, keys, maxBatch, queue, context, data,
        };
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(async () =>
        {
            var options = new ServerOptions
            {
                Models = await ResolveModelsAsync(r.GetValue(models) ?? [], CliOutput.For(r), ct),
                EmbedModel = r.GetValue(embed) is { } e ? ModelClients.ResolveEmbeddingModel(e) : null,
                KnowledgeBases = r.GetValue(kbs) ?? [],
                Urls = (r.GetValue(urls) ?? []).SelectMany(u => u.Split(';', StringSplitOptions.RemoveEmptyEntries)).ToList(),
                ApiKeyFile = r.GetValue(keys),
                MaxBatch = r.GetValue(maxBatch),
                QueueLimit = r.GetValue(queue),
                ContextLength = r.GetValue(context),
                ConsoleLogs = true,
            };
            if (r.GetValue(data) is { } dir) options = options with { DataDirectory = dir };
            await RunAsync(options, r.InvocationConfiguration.Error, ct);
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error, ct));
        return command;
    }

    /// <summary>Hub repo ids become their cached (or downloaded) snapshot folders; folders pass through.</summary>
    static async Task<List<string>> ResolveModelsAsync(IEnumerable<string> specs, CliOutput output, CancellationToken ct)
    {
        var folders = new List<string>();
        foreach (var spec in specs)
            folders.Add(Directory.Exists(spec) ? spec : await ModelClients.ResolveFolderAsync(spec, CommandOptions.ModelOptions(), output.Notes, ct));
        return folders;
    }

    static async Task RunAsync(ServerOptions options, TextWriter error, CancellationToken ct)
    {
        if (options.Models.Count == 0 && options.EmbedModel is null)
            throw new UserFacingException("Nothing to serve. HINT: pass --model <dir> (and/or --embed-model <dir>).", ExitCode.BadArguments);
        if (options.MaxBatch is < 1 or > 64) throw new UserFacingException($"--max-batch is {options.MaxBatch}; expected 1 to 64.", ExitCode.BadArguments);
        if (options.QueueLimit < 0) throw new UserFacingException($"--queue is {options.QueueLimit}; expected 0 or more.", ExitCode.BadArguments);
        foreach (var dir in options.Models.Concat(options.EmbedModel is { } e ? [e] : []))
            if (!Directory.Exists(dir)) throw new UserFacingException($"Model folder {dir} does not exist. HINT: pass a folder with config.json and model.safetensors.", ExitCode.NotFound);
        if (options.ApiKeyFile is { } keys && !File.Exists(keys)) throw new UserFacingException($"--api-key-file {keys} does not exist.", ExitCode.NotFound);
        Microsoft.AspNetCore.Builder.WebApplication built;
        try
        {
            built = RagTuneServer.Build(options);
        }
        catch (InvalidDataException e)
        {
            throw new UserFacingException(e.Message, ExitCode.BadInput);
        }
        await using var app = built;
        await app.StartAsync(ct);
        await error.WriteLineAsync($"Serving {string.Join(", ", options.Models.Select(Path.GetFileName))} on {string.Join(", ", app.Urls)} (Ctrl+C to stop)");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None);
    }
}
