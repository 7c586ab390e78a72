using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace RagTune.Server.OpenAi;

/// <summary>OpenAI-compatible endpoints: /v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings.</summary>
public static class OpenAiEndpoints
{
    public static IServiceCollection AddOpenAiApi(this IServiceCollection services, ServerOptions options) => services;

    public static IEndpointRouteBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder endpoints) => endpoints;
}
