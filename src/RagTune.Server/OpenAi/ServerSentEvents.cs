using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace RagTune.Server.OpenAi;

/// <summary>OpenAI's streaming wire format: <c>data: {json}</c> events, flushed one by one, ending with <c>data: [DONE]</c>.</summary>
internal static class ServerSentEvents
{
    /// <summary>Starts the event stream (status 200, no buffering).</summary>
    public static async Task StartAsync(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(response.HttpContext.RequestAborted);
    }

    /// <summary>Writes one event and flushes it to the client.</summary>
    public static async Task WriteAsync(HttpResponse response, JsonNode data, CancellationToken cancellationToken)
    {
        await response.WriteAsync("data: " + data.ToJsonString() + "\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>The terminating event.</summary>
    public static async Task DoneAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        await response.WriteAsync("data: [DONE]\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
