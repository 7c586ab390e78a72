using Microsoft.AspNetCore.Http;

namespace RagTune.Server.Common;

/// <summary>
/// An error answered in OpenAI's shape (<c>{"error":{"message","type","param","code"}}</c>) with an HTTP status.
/// Thrown by the knowledge-base, fine-tuning and comparison services; <see cref="ApiErrors"/> turns it into a response.
/// </summary>
public sealed class ApiError(int status, string message, string? param = null, string? code = null) : Exception(message)
{
    /// <summary>The HTTP status code.</summary>
    public int Status { get; } = status;

    /// <summary>The request field at fault, or null.</summary>
    public string? Param { get; } = param;

    /// <summary>A machine-readable code (e.g. <c>knowledge_base_not_found</c>).</summary>
    public string? Code { get; } = code;

    /// <summary>OpenAI's error type for the status.</summary>
    public string Type => Status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        409 => "conflict_error",
        413 => "request_too_large",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    /// <summary>400 invalid request.</summary>
    public static ApiError BadRequest(string message, string? param = null, string? code = null) => new(StatusCodes.Status400BadRequest, message, param, code);

    /// <summary>404 not found.</summary>
    public static ApiError NotFound(string message, string? param = null, string? code = null) => new(StatusCodes.Status404NotFound, message, param, code);

    /// <summary>409 conflict.</summary>
    public static ApiError Conflict(string message, string? param = null, string? code = null) => new(StatusCodes.Status409Conflict, message, param, code);

    /// <summary>413 payload too large.</summary>
    public static ApiError TooLarge(string message, string? param = null) => new(StatusCodes.Status413PayloadTooLarge, message, param, "payload_too_large");
}
