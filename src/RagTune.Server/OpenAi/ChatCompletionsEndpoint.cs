using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagTune.Models.Generation;
using RagTune.Server.Operations;

namespace RagTune.Server.OpenAi;

/// <summary>
/// <c>POST /v1/chat/completions</c>: messages rendered with the model's chat template and generated on its batcher;
/// a JSON answer, or with <c>stream: true</c> SSE chunks ending with <c>data: [DONE]</c>. RagTune's extension:
/// <c>knowledge_base</c> grounds the conversation in a knowledge base (<see cref="IChatContextProvider"/>) and the answer
/// carries <c>citations</c> (on the message, or on the delta of the last streamed chunk).
/// </summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<ServerOptions>();
        var metrics = services.GetRequiredService<ServerMetrics>();
        var body = await JsonRequest.ReadObjectAsync(context);
        var modelId = JsonRequest.RequiredString(body, "model");
        IReadOnlyList<ChatMessage> messages = ChatMessagesJson.Parse(body);
        var stream = JsonRequest.OptionalBool(body, "stream") ?? false;
        var includeUsage = JsonRequest.OptionalObject(body, "stream_options") is { } so && (JsonRequest.OptionalBool(so, "include_usage") ?? false);
        var logprobs = JsonRequest.OptionalBool(body, "logprobs") ?? false;
        var topLogprobs = (int?)JsonRequest.OptionalInteger(body, "top_logprobs", 0, 20);
        if (topLogprobs is not null && !logprobs) throw OpenAiException.BadField("top_logprobs", "'top_logprobs' needs 'logprobs': true.");
        var knowledgeBase = JsonRequest.OptionalString(body, "knowledge_base");

        var model = await services.GetRequiredService<ServedModelCatalog>().GetAsync(modelId, context.RequestAborted);
        if (model.Batcher is null)
            throw new OpenAiException(400, $"The model '{modelId}' is an embedding model. HINT: use it with /v1/embeddings.", param: "model", code: "model_not_supported");
        var template = model.Template ?? throw new OpenAiException(400,
            $"The model '{modelId}' has no chat template. HINT: use /v1/completions with a plain prompt.", param: "model", code: "model_not_supported");
        var generation = SamplingFields.Parse(body, model.Defaults, defaultMaxTokens: model.Batcher.ContextLength);
        if (generation.MaxNewTokens == 0) throw OpenAiException.BadField("max_tokens", "'max_tokens' must be at least 1.");

        IReadOnlyList<ChatCitation>? citations = null;
        if (knowledgeBase is not null)
        {
            var provider = services.GetService<IChatContextProvider>() ?? throw new OpenAiException(400,
                "This server has no knowledge bases. HINT: start it with --kb <dir>.", param: "knowledge_base", code: "knowledge_bases_disabled");
            var grounded = await provider.GroundAsync(knowledgeBase, messages, modelId, context.RequestAborted);
            (messages, citations) = (grounded.Messages, grounded.Citations);
        }

        var prompt = model.Tokenizer!.Encode(template.Render(messages, addGenerationPrompt: true), addSpecialTokens: false);
        using var run = GenerationRun.Start(model, new BatchedGenerationRequest(prompt, generation, logprobs ? topLogprobs ?? 0 : null),
            context.RequestAborted, options, metrics);
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (stream) await StreamAsync(context, run, model, id, created, includeUsage, citations);
        else await AnswerAsync(context, run, model, id, created, citations);
    }

    static async Task AnswerAsync(HttpContext context, GenerationRun run, LoadedModel model, string id, long created,
        IReadOnlyList<ChatCitation>? citations)
    {
        var text = new StringBuilder();
        var logprobs = new JsonArray();
        GenerationFinishReason? finish = null;
        try
        {
            await foreach (var update in run.ReadAsync(context.RequestAborted))
            {
                text.Append(update.TextDelta);
                if (update.Logprobs is { } lp && update.FinishReason != GenerationFinishReason.StopToken)
                    logprobs.Add(LogprobsJson.ChatEntry(model.Tokenizer!, lp));
                finish = update.FinishReason ?? finish;
            }
        }
        catch (OperationCanceledException) when (run.TimedOut)
        {
            throw run.TimeoutError();
        }
        var message = new JsonObject { ["role"] = "assistant", ["content"] = text.ToString() };
        if (citations is not null) message["citations"] = CitationsJson(citations);
        var response = new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = model.Id,
            ["system_fingerprint"] = "ragtune",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["logprobs"] = run.Generation.Request.TopLogprobs is null ? null : new JsonObject { ["content"] = logprobs },
                ["finish_reason"] = FinishReason(finish),
            }),
            ["usage"] = run.Usage(),
            ["timings"] = run.Timings(),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
    }

    static async Task StreamAsync(HttpContext context, GenerationRun run, LoadedModel model, string id, long created, bool includeUsage,
        IReadOnlyList<ChatCitation>? citations)
    {
        var ct = context.RequestAborted;
        JsonObject Chunk(JsonObject delta, string? finish, JsonNode? logprobs) => new()
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model.Id,
            ["system_fingerprint"] = "ragtune",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = logprobs, ["finish_reason"] = finish }),
        };

        // Errors before the first token (queue, prefill) still get a status code; after it, the stream just ends.
        await run.Generation.Admitted;
        await ServerSentEvents.StartAsync(context.Response);
        await ServerSentEvents.WriteAsync(context.Response, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null, null), ct);
        try
        {
            await foreach (var update in run.ReadAsync(ct))
            {
                var delta = new JsonObject();
                if (!string.IsNullOrEmpty(update.TextDelta)) delta["content"] = update.TextDelta;
                if (update.FinishReason is not null && citations is not null) delta["citations"] = CitationsJson(citations);
                JsonNode? logprobs = update.Logprobs is { } lp && update.FinishReason != GenerationFinishReason.StopToken
                    ? new JsonObject { ["content"] = new JsonArray(LogprobsJson.ChatEntry(model.Tokenizer!, lp)) }
                    : null;
                if (delta.Count == 0 && logprobs is null && update.FinishReason is null) continue;
                var chunk = Chunk(delta, update.FinishReason is { } f ? FinishReason(f) : null, logprobs);
                if (update.FinishReason is not null) chunk["timings"] = run.Timings();
                await ServerSentEvents.WriteAsync(context.Response, chunk, ct);
            }
        }
        catch (OperationCanceledException) when (run.TimedOut)
        {
            await ServerSentEvents.WriteAsync(context.Response, OpenAiErrors.Body(run.TimeoutError()), ct);
        }
        if (includeUsage)
        {
            var usage = Chunk(new JsonObject(), null, null);
            usage["choices"] = new JsonArray();
            usage["usage"] = run.Usage();
            await ServerSentEvents.WriteAsync(context.Response, usage, ct);
        }
        await ServerSentEvents.DoneAsync(context.Response, ct);
    }

    internal static string FinishReason(GenerationFinishReason? reason) => reason == GenerationFinishReason.Length ? "length" : "stop";

    static JsonArray CitationsJson(IReadOnlyList<ChatCitation> citations) => new([.. citations.Select(c => (JsonNode)new JsonObject
    {
        ["number"] = c.Number,
        ["document_id"] = c.DocumentId,
        ["title"] = c.Title,
        ["source"] = c.Source,
        ["start"] = c.Start,
        ["end"] = c.End,
        ["page"] = c.Page,
        ["snippet"] = c.Snippet,
    })]);
}
