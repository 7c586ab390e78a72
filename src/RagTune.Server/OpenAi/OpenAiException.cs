namespace RagTune.Server.OpenAi;

/// <summary>
/// A request the server refuses, answered as OpenAI's error object
/// (<c>{"error": {"message", "type", "param", "code"}}</c>) with <see cref="StatusCode"/>.
/// </summary>
public sealed class OpenAiException(int statusCode, string message, string type = "invalid_request_error", string? param = null, string? code = null)
    : Exception(message)
{
    /// <summary>HTTP status of the answer.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>OpenAI's error type (<c>invalid_request_error</c>, <c>authentication_error</c>, <c>rate_limit_error</c>, <c>server_error</c>…).</summary>
    public string Type { get; } = type;

    /// <summary>The request field at fault, if one is.</summary>
    public string? Param { get; } = param;

    /// <summary>A machine-readable code (<c>model_not_found</c>, <c>invalid_api_key</c>…).</summary>
    public string? Code { get; } = code;

    /// <summary>Seconds a client should wait before retrying (sent as <c>Retry-After</c>), for 429 and 503.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>400: a field has the wrong type or value.</summary>
    public static OpenAiException BadField(string param, string message) => new(400, message, param: param, code: "invalid_value");

    /// <summary>404: no served model has this id.</summary>
    public static OpenAiException ModelNotFound(string id) =>
        new(404, $"The model '{id}' does not exist. HINT: GET /v1/models lists the served models.", param: "model", code: "model_not_found");
}
