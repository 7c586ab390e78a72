using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RagTune.Server.Common;

/// <summary>Runs endpoint bodies so that <see cref="ApiError"/>s, malformed JSON and oversized bodies become OpenAI-style errors.</summary>
public static class ApiErrors
{
    /// <summary>The response for <paramref name="error"/>.</summary>
    public static IResult ToResult(ApiError error) =>
        Results.Json(new { error = new { message = error.Message, type = error.Type, param = error.Param, code = error.Code } }, statusCode: error.Status);

    /// <summary>Runs <paramref name="body"/>; expected failures become 4xx responses instead of 500s.</summary>
    public static async Task<IResult> Guard(Func<Task<IResult>> body)
    {
        try { return await body(); }
        catch (Exception e) when (Map(e) is { } error) { return ToResult(error); }
    }

    /// <summary>The API error an expected failure stands for, or null for a bug (left to the 500 handler).</summary>
    public static ApiError? Map(Exception e) => e switch
    {
        ApiError a => a,
        JsonException j => ApiError.BadRequest($"The request body is not valid JSON of the expected shape: {j.Message}", j.Path, "invalid_json"),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } b => ApiError.TooLarge($"The request body is too large: {b.Message}"),
        BadHttpRequestException b => new ApiError(b.StatusCode, b.Message),
        // The multipart reader's length limits.
        InvalidDataException d when d.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) => ApiError.TooLarge($"The upload is too large: {d.Message}"),
        _ => null,
    };

    /// <summary>Synchronous variant of <see cref="Guard(Func{Task{IResult}})"/>.</summary>
    public static Task<IResult> Guard(Func<IResult> body) => Guard(() => Task.FromResult(body()));
}
