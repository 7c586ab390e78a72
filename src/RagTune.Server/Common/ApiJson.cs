using System.Text.Json;
using System.Text.Json.Serialization;

namespace RagTune.Server.Common;

/// <summary>JSON settings of the OpenAI-shaped resources: snake_case names, nulls kept (OpenAI sends them).</summary>
public static class ApiJson
{
    /// <summary>snake_case, enums as snake_case strings.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
