using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RagTune.Retrieval.Generation;
using RagTune.Server.Common;
using RagTune.Server.OpenAi;

namespace RagTune.Server.KnowledgeBases;

/// <summary>
/// Knowledge bases under <c>/api/knowledge-bases</c>: create/list/get/delete, upload (multipart) → ingest with
/// progress, documents (list, text, delete), search, and ask (answer + citations, optionally streamed as SSE).
/// </summary>
public static class KnowledgeBaseEndpoints
{
    const string Prefix = "/api/knowledge-bases";

    public static IServiceCollection AddKnowledgeBaseApi(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton<LocalModelHub>();
        services.AddSingleton<KnowledgeBaseRegistry>();
        services.AddSingleton<KnowledgeBaseIngestService>();
        services.AddSingleton<KnowledgeBaseQueries>();
        services.AddSingleton<IChatContextProvider>(sp => sp.GetRequiredService<KnowledgeBaseQueries>());
        return services;
    }

    public static IEndpointRouteBuilder MapKnowledgeBaseEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var kbs = endpoints.MapGroup(Prefix);
        kbs.MapGet("", (KnowledgeBaseRegistry registry, KnowledgeBaseQueries queries) => ApiErrors.Guard(() =>
            Json(new { @object = "list", data = registry.List().Select(queries.Describe).ToList() })));
        kbs.MapPost("", (HttpRequest request, KnowledgeBaseRegistry registry, KnowledgeBaseQueries queries) => ApiErrors.Guard(async () =>
        {
            var body = await Body<CreateRequest>(request);
            return Json(queries.Describe(registry.Create(body.Name)), StatusCodes.Status201Created);
        }));
        kbs.MapGet("/{name}", (string name, KnowledgeBaseRegistry registry, KnowledgeBaseQueries queries) => ApiErrors.Guard(() =>
            Json(queries.Describe(registry.Get(name)))));
        kbs.MapDelete("/{name}", (string name, KnowledgeBaseRegistry registry, CancellationToken ct) => ApiErrors.Guard(async () =>
        {
            await registry.DeleteAsync(name, ct);
            return Json(new { id = name, @object = "knowledge_base.deleted", deleted = true });
        }));

        kbs.MapPost("/{name}/documents", (string name, HttpContext context, KnowledgeBaseIngestService ingest, ServerOptions options) => ApiErrors.Guard(async () =>
        {
            var form = await ReadUploadAsync(context, options);
            var run = await ingest.UploadAsync(name, form.Files, context.RequestAborted);
            return Snapshot(run, StatusCodes.Status202Accepted);
        })).DisableAntiforgery();
        kbs.MapGet("/{name}/documents", (string name, KnowledgeBaseQueries queries) => ApiErrors.Guard(() =>
            Json(new { @object = "list", data = queries.Documents(name) })));
        kbs.MapGet("/{name}/documents/text", (string name, string? id, KnowledgeBaseQueries queries) => ApiErrors.Guard(() =>
        {
            var (title, text) = queries.DocumentText(name, id);
            return Json(new { id, title, text });
        }));
        kbs.MapDelete("/{name}/documents/{file}", (string name, string file, KnowledgeBaseIngestService ingest) => ApiErrors.Guard(() =>
            Snapshot(ingest.DeleteFile(name, file), StatusCodes.Status202Accepted)));
        kbs.MapGet("/{name}/ingests/{id}", (string name, string id, KnowledgeBaseIngestService ingest) => ApiErrors.Guard(() => Snapshot(ingest.Get(name, id))));

        kbs.MapPost("/{name}/search", (string name, HttpRequest request, KnowledgeBaseQueries queries) => ApiErrors.Guard(async () =>
        {
            var body = await Body<SearchRequest>(request);
            var hits = await queries.SearchAsync(name, body.Query, body.K ?? 5, body.Mode, request.HttpContext.RequestAborted);
            return Json(new
            {
                @object = "list",
                data = hits.Select((h, i) => new
                {
                    rank = i + 1, score = h.Score, document_id = h.Chunk.DocumentId, title = h.Chunk.Title, source = Path.GetFileName(h.Chunk.SourcePath),
                    start = h.Chunk.Start, end = h.Chunk.End, page = h.Chunk.Page, heading = h.Chunk.HeadingPath, text = h.Chunk.Text,
                }),
            });
        }));
        kbs.MapPost("/{name}/ask", AskAsync);
        return endpoints;
    }

    static async Task AskAsync(string name, HttpContext context, KnowledgeBaseQueries queries)
    {
        AskRequest body;
        IAsyncEnumerator<GroundedAnswerUpdate> updates;
        var ct = context.RequestAborted;
        GroundedAnswerUpdate first;
        try
        {
            body = await Body<AskRequest>(context.Request);
            updates = queries.AskStreamingAsync(name, body.Question, body.Model, body.K ?? 5, ct).GetAsyncEnumerator(ct);
            // The first step retrieves and loads the model: errors there are still answered as JSON errors.
            if (!await updates.MoveNextAsync()) throw new InvalidOperationException("The answer stream ended without an answer.");
            first = updates.Current;
        }
        catch (Exception e) when (ApiErrors.Map(e) is { } error)
        {
            await ApiErrors.ToResult(error).ExecuteAsync(context);
            return;
        }
        await using var _ = updates;
        if (body.Stream)
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            var update = first;
            while (true)
            {
                var payload = update.Answer is { } a ? AnswerJson(a) : new { delta = update.Delta };
                await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(payload, ApiJson.Options)}\n\n", ct);
                await context.Response.Body.FlushAsync(ct);
                if (!await updates.MoveNextAsync()) break;
                update = updates.Current;
            }
            await context.Response.WriteAsync("data: [DONE]\n\n", ct);
            return;
        }
        var answer = first.Answer;
        while (await updates.MoveNextAsync()) answer = updates.Current.Answer ?? answer;
        await Json(AnswerJson(answer!)).ExecuteAsync(context);
    }

    static object AnswerJson(GroundedAnswer a) => new
    {
        @object = "knowledge_base.answer",
        answer = a.Text,
        abstained = a.Abstained,
        citations = a.Citations.Select(c => new
        {
            number = c.Number, document_id = c.DocumentId, title = c.Title, source = Path.GetFileName(c.SourcePath),
            start = c.Start, end = c.End, page = c.Page, heading = c.HeadingPath, snippet = c.Snippet,
        }),
        sources = a.Sources.Select(s => new
        {
            number = s.Number, document_id = s.Retrieved.Chunk.DocumentId, title = s.Retrieved.Chunk.Title,
            source = Path.GetFileName(s.Retrieved.Chunk.SourcePath), start = s.Start, end = s.End, page = s.Retrieved.Chunk.Page, snippet = s.Text,
        }),
    };

    /// <summary>Reads a multipart upload within <see cref="ServerOptions.MaxUploadBytes"/> (plus room for the multipart framing).</summary>
    internal static async Task<IFormCollection> ReadUploadAsync(HttpContext context, ServerOptions options)
    {
        var limit = options.MaxUploadBytes + (1 << 20);
        if (context.Request.ContentLength > limit)
            throw ApiError.TooLarge($"The upload has {context.Request.ContentLength:N0} bytes, over the limit of {options.MaxUploadBytes:N0}.", "file");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        if (!context.Request.HasFormContentType)
            throw ApiError.BadRequest("Expected a multipart/form-data upload.", "file", "expected_multipart");
        return await context.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit, ValueLengthLimit = 1 << 16 }, context.RequestAborted);
    }

    /// <summary>Deserialises the JSON body; an empty or malformed body is a 400 naming the problem.</summary>
    internal static async Task<T> Body<T>(HttpRequest request) where T : class
    {
        if (request.ContentLength == 0) throw ApiError.BadRequest("The request has no body; expected a JSON object.");
        return await JsonSerializer.DeserializeAsync<T>(request.Body, ApiJson.Options, request.HttpContext.RequestAborted)
            ?? throw ApiError.BadRequest("The request body is null; expected a JSON object.");
    }

    static IResult Snapshot(IngestRun run, int status = StatusCodes.Status200OK)
    {
        string json;
        lock (run) json = JsonSerializer.Serialize(run, ApiJson.Options);
        return Results.Content(json, "application/json", statusCode: status);
    }

    static IResult Json(object value, int status = StatusCodes.Status200OK) => Results.Json(value, ApiJson.Options, statusCode: status);

    sealed record CreateRequest(string? Name);

    sealed record SearchRequest(string? Query, int? K, string? Mode);

    sealed record AskRequest(string? Question, string? Model, int? K, bool Stream);
}
