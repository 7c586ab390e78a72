using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RagTune.Server.Common;
using RagTune.Server.KnowledgeBases;

namespace RagTune.Server.WebUi;

/// <summary>
/// The web UI: plain HTML/CSS/JS embedded in the assembly (no CDN, works offline), served at <c>/</c> and <c>/ui/…</c>,
/// plus <c>/api/ui/config</c> (the model and knowledge-base pickers' lists).
/// </summary>
public static class WebUiEndpoints
{
    static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8", ["app.css"] = "text/css; charset=utf-8", ["app.js"] = "text/javascript; charset=utf-8",
    };

    public static IEndpointRouteBuilder MapWebUi(this IEndpointRouteBuilder endpoints)
    {
        var files = ContentTypes.Keys.ToDictionary(name => name, Load, StringComparer.Ordinal);
        endpoints.MapGet("/", () => Serve(files, "index.html"));
        endpoints.MapGet("/ui/{file}", (string file) => files.ContainsKey(file) ? Serve(files, file)
            : ApiErrors.ToResult(ApiError.NotFound($"No UI file '{file}'.", "file")));
        endpoints.MapGet("/api/ui/config", (LocalModelHub models, KnowledgeBaseRegistry registry) => Results.Json(new
        {
            models = models.Models().Select(m => m.Id),
            knowledge_bases = registry.List().Select(k => k.Name),
        }));
        return endpoints;
    }

    static IResult Serve(Dictionary<string, byte[]> files, string name) =>
        Results.Bytes(files[name], ContentTypes[name]);

    static byte[] Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("webui/" + name)
            ?? throw new InvalidOperationException($"The web UI file '{name}' is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
