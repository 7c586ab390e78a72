using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RagTune.Models.Generation;
using RagTune.Server.Operations;

namespace RagTune.Server.OpenAi;

/// <summary>
/// <c>POST /v1/completions</c> (OpenAI's legacy text completions): a prompt as text, text list, token ids or lists of
/// token ids, one choice per prompt (the prompts share decode steps). <c>logprobs: k</c> gives each token's log-probability
/// and the k most likely alternatives; with <c>echo</c> the prompt comes back with its own log-probabilities — what
/// lm-evaluation-harness's <c>local-completions</c> model needs for log-likelihood tasks (<c>max_tokens</c> 0 or 1).
/// </summary>
internal static class CompletionsEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<ServerOptions>();
        var metrics = services.GetRequiredService<ServerMetrics>();
        var body = await JsonRequest.ReadObjectAsync(context);
        var modelId = JsonRequest.RequiredString(body, "model");
        var echo = JsonRequest.OptionalBool(body, "echo") ?? false;
        var topLogprobs = (int?)JsonRequest.OptionalInteger(body, "logprobs", 0, 20);
        var stream = JsonRequest.OptionalBool(body, "stream") ?? false;
        if (JsonRequest.OptionalString(body, "suffix") is { Length: > 0 }) throw OpenAiException.BadField("suffix", "'suffix' (insertion) is not supported.");
        var rawPrompts = Prompts(body);

        var model = await services.GetRequiredService<ServedModelCatalog>().GetAsync(modelId, context.RequestAborted);
        if (model.Batcher is null)
            throw new OpenAiException(400, $"The model '{modelId}' is an embedding model. HINT: use it with /v1/embeddings.", param: "model", code: "model_not_supported");
        var generation = SamplingFields.Parse(body, model.Defaults, defaultMaxTokens: 16);
        var promptOnly = generation.MaxNewTokens == 0;
        if (promptOnly && !echo) throw OpenAiException.BadField("max_tokens", "'max_tokens' 0 needs 'echo': true (it returns only the prompt).");
        if (promptOnly && stream) throw OpenAiException.BadField("stream", "'max_tokens' 0 cannot be streamed.");
        if (promptOnly) generation = generation with { MaxNewTokens = 1 }; // prefill only; the sampled token is dropped
        if (stream && rawPrompts.Count > 1) throw OpenAiException.BadField("prompt", "Streaming takes a single prompt.");

        var tokenizer = model.Tokenizer!;
        var prompts = rawPrompts.Select(p => p.Ids ?? tokenizer.Encode(p.Text!)).ToList();
        var runs = new List<GenerationRun>();
        try
        {
            foreach (var prompt in prompts)
                runs.Add(GenerationRun.Start(model, new BatchedGenerationRequest(prompt, generation, topLogprobs, PromptLogprobs: echo && topLogprobs is not null),
                    context.RequestAborted, options, metrics));
            var id = "cmpl-" + Guid.NewGuid().ToString("N");
            var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            if (stream) await StreamAsync(context, runs[0], model, id, created, echo, rawPrompts[0].Text ?? tokenizer.Decode(prompts[0]));
            else await AnswerAsync(context, runs, model, id, created, echo, promptOnly, rawPrompts, prompts);
        }
        finally
        {
            foreach (var run in runs) run.Dispose();
        }
    }

    static async Task AnswerAsync(HttpContext context, List<GenerationRun> runs, LoadedModel model, string id, long created, bool echo,
        bool promptOnly, List<(string? Text, IReadOnlyList<int>? Ids)> rawPrompts, List<IReadOnlyList<int>> prompts)
    {
        var tokenizer = model.Tokenizer!;
        var choices = new JsonArray();
        int promptTokens = 0, completionTokens = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var updates = new List<GenerationUpdate>();
            try
            {
                await foreach (var u in run.ReadAsync(context.RequestAborted)) updates.Add(u);
            }
            catch (OperationCanceledException) when (run.TimedOut)
            {
                throw run.TimeoutError();
            }
            if (promptOnly) updates.Clear();
            var generated = updates.Where(u => u.FinishReason != GenerationFinishReason.StopToken).ToList();
            var completion = string.Concat(updates.Select(u => u.TextDelta));
            var promptText = rawPrompts[i].Text ?? tokenizer.Decode(prompts[i]);
            var text = echo ? promptText + completion : completion;
            JsonNode? logprobs = null;
            if (run.Generation.Request.TopLogprobs is not null)
            {
                var entries = generated.Select(u => (u.TokenId, u.Logprobs));
                if (echo)
                {
                    var promptEntries = prompts[i].Select((t, k) => (t, k == 0 ? null : run.Generation.PromptLogprobs?[k - 1]));
                    entries = promptEntries.Concat(entries);
                }
                logprobs = LogprobsJson.Completion(tokenizer, entries, 0);
            }
            choices.Add(new JsonObject
            {
                ["index"] = i,
                ["text"] = text,
                ["logprobs"] = logprobs,
                ["finish_reason"] = promptOnly ? "length" : ChatCompletionsEndpoint.FinishReason(updates.LastOrDefault()?.FinishReason),
            });
            promptTokens += run.Generation.PromptTokenCount;
            completionTokens += promptOnly ? 0 : run.CompletionTokens;
        }
        var response = new JsonObject
        {
            ["id"] = id,
            ["object"] = "text_completion",
            ["created"] = created,
            ["model"] = model.Id,
            ["choices"] = choices,
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["completion_tokens"] = completionTokens, ["total_tokens"] = promptTokens + completionTokens },
            ["timings"] = runs[0].Timings(),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
    }

    static async Task StreamAsync(HttpContext context, GenerationRun run, LoadedModel model, string id, long created, bool echo, string promptText)
    {
        var ct = context.RequestAborted;
        JsonObject Chunk(string text, string? finish, JsonNode? logprobs) => new()
        {
            ["id"] = id,
            ["object"] = "text_completion",
            ["created"] = created,
            ["model"] = model.Id,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["text"] = text, ["logprobs"] = logprobs, ["finish_reason"] = finish }),
        };
        await run.Generation.Admitted;
        await ServerSentEvents.StartAsync(context.Response);
        if (echo) await ServerSentEvents.WriteAsync(context.Response, Chunk(promptText, null, null), ct);
        try
        {
            await foreach (var u in run.ReadAsync(ct))
            {
                JsonNode? logprobs = u.Logprobs is not null && u.FinishReason != GenerationFinishReason.StopToken
                    ? LogprobsJson.Completion(model.Tokenizer!, [(u.TokenId, u.Logprobs)], 0) : null;
                if (string.IsNullOrEmpty(u.TextDelta) && logprobs is null && u.FinishReason is null) continue;
                var chunk = Chunk(u.TextDelta ?? "", u.FinishReason is { } f ? ChatCompletionsEndpoint.FinishReason(f) : null, logprobs);
                if (u.FinishReason is not null) chunk["usage"] = run.Usage();
                await ServerSentEvents.WriteAsync(context.Response, chunk, ct);
            }
        }
        catch (OperationCanceledException) when (run.TimedOut)
        {
            await ServerSentEvents.WriteAsync(context.Response, OpenAiErrors.Body(run.TimeoutError()), ct);
        }
        await ServerSentEvents.DoneAsync(context.Response, ct);
    }

    /// <summary>OpenAI's four prompt shapes: a string, strings, token ids, lists of token ids.</summary>
    static List<(string? Text, IReadOnlyList<int>? Ids)> Prompts(JsonObject body)
    {
        var node = body["prompt"] ?? throw new OpenAiException(400, "'prompt' is required.", param: "prompt", code: "missing_required_parameter");
        const string expected = "a string, an array of strings, an array of token ids or an array of token-id arrays";
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String) return [(v.GetValue<string>(), null)];
        if (node is not JsonArray array || array.Count == 0) throw JsonRequest.WrongType("prompt", expected, node);
        if (array.All(x => x is JsonValue s && s.GetValueKind() == JsonValueKind.String))
            return [.. array.Select(x => ((string?)x!.GetValue<string>(), (IReadOnlyList<int>?)null))];
        if (array.All(x => x is JsonValue n && n.GetValueKind() == JsonValueKind.Number))
            return [(null, Ids(array))];
        if (array.All(x => x is JsonArray)) return [.. array.Select(x => ((string?)null, (IReadOnlyList<int>?)Ids((JsonArray)x!)))];
        throw JsonRequest.WrongType("prompt", expected, node);
    }

    static int[] Ids(JsonArray array)
    {
        if (array.Count == 0) throw OpenAiException.BadField("prompt", "A token-id prompt must not be empty.");
        return [.. array.Select(x => x is JsonValue n && n.TryGetValue<int>(out var id) ? id : throw JsonRequest.WrongType("prompt", "token ids (integers)", x))];
    }
}
