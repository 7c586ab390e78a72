using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RagTune.Server.OpenAi;

/// <summary>OpenAI-compatible endpoints: /v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings.</summary>
public static class OpenAiEndpoints
{
    /// <summary>The model catalog (also as <see cref="IServedModelCatalog"/> for other features).</summary>
    public static IServiceCollection AddOpenAiApi(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton<ServedModelCatalog>();
        services.AddSingleton<IServedModelCatalog>(sp => sp.GetRequiredService<ServedModelCatalog>());
        return services;
    }

    /// <summary>Maps the endpoints and starts loading the start-up models.</summary>
    public static IEndpointRouteBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder endpoints)
    {
        _ = endpoints.ServiceProvider.GetRequiredService<ServedModelCatalog>(); // begins loading --model folders now
        endpoints.MapGet("/v1/models", Api(ListModelsAsync));
        endpoints.MapGet("/v1/models/{**id}", Api(GetModelAsync));
        endpoints.MapPost("/v1/chat/completions", Api(ChatCompletionsEndpoint.HandleAsync));
        endpoints.MapPost("/v1/completions", Api(CompletionsEndpoint.HandleAsync));
        endpoints.MapPost("/v1/embeddings", Api(EmbeddingsEndpoint.HandleAsync));
        return endpoints;
    }

    /// <summary>
    /// Wraps an API handler: the JSON body limit, and every refusal as OpenAI's error object — the server answers and
    /// stays up whatever a request contains. Other features can wrap their handlers the same way.
    /// </summary>
    public static RequestDelegate Api(Func<HttpContext, Task> handler) => async context =>
    {
        try
        {
            var limit = context.RequestServices.GetRequiredService<ServerOptions>().MaxJsonBodyBytes;
            if (context.Request.ContentLength > limit)
                throw new OpenAiException(413, $"The request body has {context.Request.ContentLength} bytes; this endpoint accepts at most {limit}.", code: "request_too_large");
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
            await handler(context);
        }
        catch (OpenAiException e)
        {
            await OpenAiErrors.WriteAsync(context, e);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: its generation was cancelled and its row freed; nobody is left to answer.
        }
        catch (BadHttpRequestException e)
        {
            await OpenAiErrors.WriteAsync(context, new OpenAiException(e.StatusCode, e.Message));
        }
        catch (Exception e)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("RagTune.Server.OpenAi")
                .LogError(e, "Request failed");
            await OpenAiErrors.WriteAsync(context, new OpenAiException(500, $"Internal error: {e.Message}", "server_error"));
        }
    };

    static async Task ListModelsAsync(HttpContext context)
    {
        var catalog = context.RequestServices.GetRequiredService<IServedModelCatalog>();
        var body = new JsonObject { ["object"] = "list", ["data"] = new JsonArray([.. catalog.List().Select(m => (JsonNode)ModelJson(m))]) };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    static async Task GetModelAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        var model = context.RequestServices.GetRequiredService<IServedModelCatalog>().List().FirstOrDefault(m => m.Id == id)
                    ?? throw OpenAiException.ModelNotFound(id);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(ModelJson(model).ToJsonString(), context.RequestAborted);
    }

    static JsonObject ModelJson(ServedModel m) => new()
    {
        ["id"] = m.Id,
        ["object"] = "model",
        ["created"] = m.Created.ToUnixTimeSeconds(),
        ["owned_by"] = m.OwnedBy,
    };
}
