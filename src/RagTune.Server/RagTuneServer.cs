using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagTune.Server.Comparisons;
using RagTune.Server.FineTuning;
using RagTune.Server.KnowledgeBases;
using RagTune.Server.OpenAi;
using RagTune.Server.Operations;
using RagTune.Server.WebUi;

namespace RagTune.Server;

/// <summary>
/// Builds the RagTune HTTP server: each feature folder contributes its services (<c>AddXxx</c>) and its endpoints
/// (<c>MapXxx</c>), so the host itself stays a list.
/// </summary>
public static class RagTuneServer
{
    /// <summary>The configured application (not started): <c>app.RunAsync()</c>, or <c>StartAsync</c> in tests.</summary>
    public static WebApplication Build(ServerOptions options, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Logging.ClearProviders();
        if (options.ConsoleLogs) builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        builder.Services.AddSingleton(options);
        builder.Services.AddOperations(options);
        builder.Services.AddOpenAiApi(options);
        builder.Services.AddKnowledgeBaseApi(options);
        builder.Services.AddFineTuningApi(options);
        builder.Services.AddComparisonApi(options);

        var app = builder.Build();
        app.UseOperations();
        app.MapOperationsEndpoints();
        app.MapOpenAiEndpoints();
        app.MapKnowledgeBaseEndpoints();
        app.MapFineTuningEndpoints();
        app.MapComparisonEndpoints();
        app.MapWebUi();
        return app;
    }
}
