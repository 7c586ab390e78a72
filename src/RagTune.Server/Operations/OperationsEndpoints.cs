using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagTune.Server.OpenAi;

namespace RagTune.Server.Operations;

/// <summary>Health, Prometheus metrics, request ids and logs, API keys.</summary>
public static class OperationsEndpoints
{
    /// <summary>Metrics and the API keys of <see cref="ServerOptions.ApiKeyFile"/>.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(new ServerMetrics());
        services.AddSingleton(options.ApiKeyFile is { } file ? ApiKeys.FromFile(file) : ApiKeys.None);
        return services;
    }

    /// <summary>
    /// Request ids (<c>X-Request-Id</c>, also a log scope), one structured log line and a metrics count per request, and
    /// the API-key check on <c>/v1/</c> and <c>/api/</c> paths (<c>Authorization: Bearer &lt;key&gt;</c>, 401 otherwise).
    /// </summary>
    public static WebApplication UseOperations(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RagTune.Server.Requests");
        var metrics = app.Services.GetRequiredService<ServerMetrics>();
        var keys = app.Services.GetRequiredService<ApiKeys>();
        app.Use(async (context, next) =>
        {
            var requestId = context.Request.Headers["X-Request-Id"].FirstOrDefault() is { Length: > 0 and <= 64 } given && given.All(IsIdChar)
                ? given : Guid.NewGuid().ToString("N")[..16];
            context.TraceIdentifier = requestId;
            context.Response.Headers["X-Request-Id"] = requestId;
            var started = Stopwatch.GetTimestamp();
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId });
            try
            {
                var path = context.Request.Path;
                if (keys.Required && (path.StartsWithSegments("/v1") || path.StartsWithSegments("/api"))
                    && !keys.IsValid(BearerToken(context.Request)))
                    await OpenAiErrors.WriteAsync(context, new OpenAiException(401,
                        "Incorrect or missing API key. HINT: send 'Authorization: Bearer <key>' with a key from the server's --api-key-file.",
                        "authentication_error", code: "invalid_api_key"));
                else
                    await next(context);
            }
            finally
            {
                var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
                var endpoint = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "other";
                metrics.RequestFinished(endpoint, status);
                logger.LogInformation("{Method} {Path} {Status} {ElapsedMs:0.0} ms", context.Request.Method, context.Request.Path.Value,
                    status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
        return app;
    }

    /// <summary><c>/health</c> (200 ready, 503 while models load or when one failed) and <c>/metrics</c> (Prometheus text).</summary>
    public static IEndpointRouteBuilder MapOperationsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", async (HttpContext context) =>
        {
            var (loading, failed) = context.RequestServices.GetRequiredService<ServedModelCatalog>().StartupState();
            var status = failed.Count > 0 ? "error" : loading > 0 ? "loading" : "ok";
            var body = new JsonObject { ["status"] = status };
            if (loading > 0) body["loading"] = loading;
            if (failed.Count > 0) body["errors"] = new JsonArray([.. failed.Select(f => (JsonNode)f)]);
            context.Response.StatusCode = status == "ok" ? 200 : 503;
            if (status == "loading") context.Response.Headers.RetryAfter = "2";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body.ToJsonString());
        });
        endpoints.MapGet("/metrics", async (HttpContext context) =>
        {
            var metrics = context.RequestServices.GetRequiredService<ServerMetrics>();
            var catalog = context.RequestServices.GetRequiredService<ServedModelCatalog>();
            var slots = catalog.Loaded().Where(m => m.Batcher is not null)
                .Select(m => (m.Id, m.Batcher!.ActiveRows, m.Batcher.QueuedRequests, context.RequestServices.GetRequiredService<ServerOptions>().MaxBatch));
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await context.Response.WriteAsync(metrics.Render(slots));
        });
        return endpoints;
    }

    static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.FirstOrDefault();
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return request.Headers["api-key"].FirstOrDefault();
    }

    static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
