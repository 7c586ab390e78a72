using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace RagTune.Models.Templates.Jinja;

/// <summary>
/// Turns .NET values into template values: messages become the dicts transformers passes
/// (<c>{"role", "content"}</c>, plus <c>tool_calls</c> / <c>tool_call_id</c>), JSON becomes lists and dicts.
/// </summary>
internal static class JinjaConvert
{
    public static OrderedDictionary<string, object?> Message(ChatMessage message)
    {
        var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["role"] = message.Role.Value,
            ["content"] = message.Text,
        };
        var calls = message.Contents.OfType<FunctionCallContent>().ToList();
        if (calls.Count > 0)
        {
            dict["tool_calls"] = calls.Select(c => (object?)new OrderedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["id"] = c.CallId,
                ["type"] = "function",
                ["function"] = new OrderedDictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["name"] = c.Name,
                    ["arguments"] = ToValue(c.Arguments),
                },
            }).ToList();
        }
        var result = message.Contents.OfType<FunctionResultContent>().FirstOrDefault();
        if (result is not null)
        {
            dict["tool_call_id"] = result.CallId;
            if (string.IsNullOrEmpty(message.Text)) dict["content"] = result.Result is string s ? s : JsonSerializer.Serialize(result.Result);
        }
        return dict;
    }

    /// <summary>A .NET value as a template value (strings, numbers, bools, null, lists, dicts, JSON, AI functions).</summary>
    public static object? ToValue(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int i => (long)i,
        short s => (long)s,
        float f => (double)f,
        decimal m => (double)m,
        JsonElement e => FromJson(JsonNode.Parse(e.GetRawText())),
        JsonNode n => FromJson(n),
        AIFunction f => new OrderedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = "function",
            ["function"] = new OrderedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["name"] = f.Name,
                ["description"] = f.Description,
                ["parameters"] = FromJson(JsonNode.Parse(f.JsonSchema.GetRawText())),
            },
        },
        ChatMessage m => Message(m),
        IDictionary d => ToDict(d),
        IEnumerable<KeyValuePair<string, object?>> pairs => new OrderedDictionary<string, object?>(pairs.Select(p => KeyValuePair.Create(p.Key, ToValue(p.Value))), StringComparer.Ordinal),
        IEnumerable e => e.Cast<object?>().Select(ToValue).ToList(),
        _ => value.ToString(),
    };

    static OrderedDictionary<string, object?> ToDict(IDictionary d)
    {
        var result = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in d) result[entry.Key.ToString()!] = ToValue(entry.Value);
        return result;
    }

    static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => new OrderedDictionary<string, object?>(o.Select(p => KeyValuePair.Create(p.Key, FromJson(p.Value))), StringComparer.Ordinal),
        JsonArray a => a.Select(FromJson).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l : v.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };
}
