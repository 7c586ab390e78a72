using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace RagTune.Server.OpenAi;

/// <summary>
/// Reads a JSON request body and its fields with OpenAI's error semantics: malformed JSON and wrong types are 400
/// naming the field, a body over the limit is 413.
/// </summary>
public static class JsonRequest
{
    /// <summary>The body as a JSON object.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new OpenAiException(400, $"The request body is not valid JSON: {e.Message}", code: "invalid_json");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new OpenAiException(413, $"The request body is larger than the server accepts. {e.Message}", code: "request_too_large");
        }
        return node as JsonObject ?? throw new OpenAiException(400, "The request body must be a JSON object.", code: "invalid_json");
    }

    /// <summary>A required string field.</summary>
    public static string RequiredString(JsonObject o, string name) =>
        OptionalString(o, name) ?? throw new OpenAiException(400, $"'{name}' is required.", param: name, code: "missing_required_parameter");

    /// <summary>A string field, or null when absent or null.</summary>
    public static string? OptionalString(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw WrongType(name, "a string", other),
    };

    /// <summary>A number field within [min, max], or null.</summary>
    public static double? OptionalNumber(JsonObject o, string name, double min, double max)
    {
        var node = o[name];
        if (node is null) return null;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) throw WrongType(name, "a number", node);
        var value = v.GetValue<double>();
        if (value < min || value > max) throw OpenAiException.BadField(name, $"'{name}' is {value}; expected a number in [{min}, {max}].");
        return value;
    }

    /// <summary>An integer field within [min, max], or null.</summary>
    public static long? OptionalInteger(JsonObject o, string name, long min, long max)
    {
        var node = o[name];
        if (node is null) return null;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<long>(out var value))
            throw WrongType(name, "an integer", node);
        if (value < min || value > max) throw OpenAiException.BadField(name, $"'{name}' is {value}; expected an integer in [{min}, {max}].");
        return value;
    }

    /// <summary>A boolean field, or null.</summary>
    public static bool? OptionalBool(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw WrongType(name, "a boolean", other),
    };

    /// <summary>An object field, or null.</summary>
    public static JsonObject? OptionalObject(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonObject obj => obj,
        var other => throw WrongType(name, "an object", other),
    };

    /// <summary>OpenAI's <c>stop</c>: a string or an array of up to 4 strings.</summary>
    public static IReadOnlyList<string>? OptionalStop(JsonObject o, string name = "stop") => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        JsonArray a when a.Count <= 16 && a.All(x => x is JsonValue s && s.GetValueKind() == JsonValueKind.String) =>
            [.. a.Select(x => x!.GetValue<string>())],
        var other => throw WrongType(name, "a string or an array of at most 16 strings", other),
    };

    /// <summary>400 for a field of the wrong JSON type.</summary>
    public static OpenAiException WrongType(string name, string expected, JsonNode? got) =>
        new(400, $"'{name}' must be {expected}, got {Describe(got)}.", param: name, code: "invalid_type");

    static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => $"the number {v.ToJsonString()}",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => v.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };
}
