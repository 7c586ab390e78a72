using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace RagTune.Server.Comparisons;

/// <summary>Comparison runs: start, progress, report files.</summary>
public static class ComparisonEndpoints
{
    public static IServiceCollection AddComparisonApi(this IServiceCollection services, ServerOptions options) => services;

    public static IEndpointRouteBuilder MapComparisonEndpoints(this IEndpointRouteBuilder endpoints) => endpoints;
}
