using Microsoft.AspNetCore.Routing;

namespace RagTune.Server.WebUi;

/// <summary>The web UI: static files embedded in the assembly, served at <c>/</c>.</summary>
public static class WebUiEndpoints
{
    public static IEndpointRouteBuilder MapWebUi(this IEndpointRouteBuilder endpoints) => endpoints;
}
