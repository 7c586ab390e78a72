using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace RagTune.Server.OpenAi;

/// <summary>Writes OpenAI's error object; every refusal of the API goes through here so clients see one shape.</summary>
public static class OpenAiErrors
{
    /// <summary>The error body for <paramref name="error"/>.</summary>
    public static JsonObject Body(OpenAiException error) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = error.Message,
            ["type"] = error.Type,
            ["param"] = error.Param,
            ["code"] = error.Code,
        },
    };

    /// <summary>Answers with <paramref name="error"/> (status, Retry-After, JSON body) unless the response already started.</summary>
    public static async Task WriteAsync(HttpContext context, OpenAiException error)
    {
        if (context.Response.HasStarted) return;
        context.Response.Clear();
        context.Response.StatusCode = error.StatusCode;
        if (error.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Body(error).ToJsonString(), context.RequestAborted);
    }
}
