using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RagTune.Server.Common;
using RagTune.Server.KnowledgeBases;

namespace RagTune.Server.Comparisons;

/// <summary>Comparison runs under <c>/api/comparisons</c>: start, list, status + progress lines, cancel, report files.</summary>
public static class ComparisonEndpoints
{
    public static IServiceCollection AddComparisonApi(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton<ComparisonRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ComparisonRunner>());
        return services;
    }

    public static IEndpointRouteBuilder MapComparisonEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var runs = endpoints.MapGroup("/api/comparisons");
        runs.MapPost("", (HttpRequest request, ComparisonRunner runner) => ApiErrors.Guard(async () =>
        {
            var body = await KnowledgeBaseEndpoints.Body<StartRequest>(request);
            // The config may come as the file's text or, for JSON configs, as an object.
            var config = body.Config is { ValueKind: JsonValueKind.String } s ? s.GetString()
                : body.Config is { ValueKind: JsonValueKind.Object } o ? o.GetRawText() : null;
            return Results.Json(runner.Start(config, body.Format, body.Name), ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
        }));
        runs.MapGet("", (ComparisonRunner runner) => ApiErrors.Guard(() => Results.Json(new { @object = "list", data = runner.List() }, ApiJson.Options)));
        runs.MapGet("/{id}", (string id, ComparisonRunner runner) => ApiErrors.Guard(() =>
            Results.Json(new { run = runner.Get(id), lines = runner.Lines(id) }, ApiJson.Options)));
        runs.MapPost("/{id}/cancel", (string id, ComparisonRunner runner) => ApiErrors.Guard(() => Results.Json(runner.Cancel(id), ApiJson.Options)));
        runs.MapGet("/{id}/{file}", (string id, string file, ComparisonRunner runner) => ApiErrors.Guard(() =>
        {
            var path = runner.ReportPath(id, file);
            var type = file.EndsWith(".json", StringComparison.Ordinal) ? "application/json"
                : file.EndsWith(".html", StringComparison.Ordinal) ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8";
            return Results.File(path, type);
        }));
        return endpoints;
    }

    sealed record StartRequest(JsonElement? Config, string? Format, string? Name);
}
