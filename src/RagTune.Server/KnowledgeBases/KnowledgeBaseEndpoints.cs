using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace RagTune.Server.KnowledgeBases;

/// <summary>Knowledge bases: create/list/delete, documents, search, ask.</summary>
public static class KnowledgeBaseEndpoints
{
    public static IServiceCollection AddKnowledgeBaseApi(this IServiceCollection services, ServerOptions options) => services;

    public static IEndpointRouteBuilder MapKnowledgeBaseEndpoints(this IEndpointRouteBuilder endpoints) => endpoints;
}
