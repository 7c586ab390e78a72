using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RagTune.Server.Common;
using RagTune.Server.KnowledgeBases;

namespace RagTune.Server.FineTuning;

/// <summary>OpenAI-shaped /v1/files and /v1/fine_tuning/jobs, jobs run in a child process.</summary>
public static class FineTuningEndpoints
{
    public static IServiceCollection AddFineTuningApi(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton<FileStore>();
        services.AddSingleton<FineTuningJobManager>();
        services.AddHostedService(sp => sp.GetRequiredService<FineTuningJobManager>());
        return services;
    }

    public static IEndpointRouteBuilder MapFineTuningEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var files = endpoints.MapGroup("/v1/files");
        files.MapPost("", (HttpContext context, FileStore store, ServerOptions options) => ApiErrors.Guard(async () =>
        {
            var form = await KnowledgeBaseEndpoints.ReadUploadAsync(context, options);
            if (form.Files.Count > 1) throw ApiError.BadRequest("Upload one file per request.", "file");
            return Json(await store.AddAsync(form.Files.GetFile("file"), form["purpose"].FirstOrDefault(), context.RequestAborted));
        })).DisableAntiforgery();
        files.MapGet("", (string? purpose, FileStore store) => ApiErrors.Guard(() =>
            Json(new { @object = "list", data = store.List().Where(f => purpose is null || f.Purpose == purpose), has_more = false })));
        files.MapGet("/{id}", (string id, FileStore store) => ApiErrors.Guard(() => Json(store.Get(id))));
        files.MapGet("/{id}/content", (string id, FileStore store) => ApiErrors.Guard(() =>
            Results.File(store.ContentPath(id), "application/jsonl", store.Get(id).Filename)));
        files.MapDelete("/{id}", (string id, FileStore store) => ApiErrors.Guard(() =>
        {
            store.Delete(id);
            return Json(new { id, @object = "file", deleted = true });
        }));

        var jobs = endpoints.MapGroup("/v1/fine_tuning/jobs");
        jobs.MapPost("", (HttpRequest request, FineTuningJobManager manager) => ApiErrors.Guard(async () =>
        {
            var body = await KnowledgeBaseEndpoints.Body<CreateJobRequest>(request);
            var hyper = body.Method?.Supervised?.Hyperparameters ?? body.Hyperparameters;
            if (body.Method?.Type is { } type && type != "supervised")
                throw ApiError.BadRequest($"method.type '{type}' is not supported; RagTune runs 'supervised' jobs (LoRA or full: hyperparameters.method).", "method.type");
            return Json(manager.Create(body.Model, body.TrainingFile, body.ValidationFile, hyper, body.Suffix, body.Seed));
        }));
        jobs.MapGet("", (string? after, int? limit, FineTuningJobManager manager) => ApiErrors.Guard(() =>
        {
            var (page, more) = manager.List(after, Limit(limit));
            return Json(new { @object = "list", data = page, has_more = more });
        }));
        jobs.MapGet("/{id}", (string id, FineTuningJobManager manager) => ApiErrors.Guard(() => Json(manager.Get(id))));
        jobs.MapPost("/{id}/cancel", (string id, FineTuningJobManager manager) => ApiErrors.Guard(() => Json(manager.Cancel(id))));
        jobs.MapGet("/{id}/events", (string id, string? after, int? limit, FineTuningJobManager manager) => ApiErrors.Guard(() =>
        {
            var (page, more) = manager.Events(id, after, Limit(limit, 1000));
            return Json(new { @object = "list", data = page, has_more = more });
        }));
        jobs.MapGet("/{id}/checkpoints", (string id, FineTuningJobManager manager) => ApiErrors.Guard(() =>
            Json(new { @object = "list", data = manager.Checkpoints(id), has_more = false })));
        return endpoints;
    }

    static int Limit(int? limit, int max = 100) => limit switch
    {
        null => 20,
        < 1 => throw ApiError.BadRequest($"'limit' must be positive, got {limit}.", "limit"),
        _ => Math.Min(limit.Value, max),
    };

    static IResult Json(object value) => Results.Json(value, ApiJson.Options);

    sealed record CreateJobRequest(string? Model, string? TrainingFile, string? ValidationFile, FineTuningHyperparameters? Hyperparameters,
        string? Suffix, int? Seed, JobMethod? Method);

    sealed record JobMethod(string? Type, SupervisedMethod? Supervised);

    sealed record SupervisedMethod(FineTuningHyperparameters? Hyperparameters);
}
