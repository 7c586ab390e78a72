using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace RagTune.Server.OpenAi;

/// <summary>Reads OpenAI's <c>messages</c> array into Microsoft.Extensions.AI messages (text content only).</summary>
internal static class ChatMessagesJson
{
    static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool"];

    public static List<ChatMessage> Parse(JsonObject body)
    {
        if (body["messages"] is not JsonArray array)
            throw body["messages"] is null
                ? new OpenAiException(400, "'messages' is required.", param: "messages", code: "missing_required_parameter")
                : JsonRequest.WrongType("messages", "an array of messages", body["messages"]);
        if (array.Count == 0) throw OpenAiException.BadField("messages", "'messages' must contain at least one message.");
        var messages = new List<ChatMessage>();
        for (var i = 0; i < array.Count; i++)
        {
            var param = $"messages[{i}]";
            if (array[i] is not JsonObject m) throw JsonRequest.WrongType(param, "an object", array[i]);
            var role = JsonRequest.RequiredString(m, "role");
            if (!Roles.Contains(role)) throw OpenAiException.BadField($"{param}.role", $"'{role}' is not a role; expected one of {string.Join(", ", Roles)}.");
            // The developer role is the system role of newer OpenAI models; chat templates know only system.
            messages.Add(new ChatMessage(new ChatRole(role == "developer" ? "system" : role), Content(m["content"], $"{param}.content")));
        }
        return messages;
    }

    static string Content(JsonNode? content, string param)
    {
        switch (content)
        {
            case null:
                return "";
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>();
            case JsonArray parts:
                var text = new StringBuilder();
                for (var i = 0; i < parts.Count; i++)
                {
                    if (parts[i] is not JsonObject part) throw JsonRequest.WrongType($"{param}[{i}]", "a content part object", parts[i]);
                    var type = JsonRequest.RequiredString(part, "type");
                    if (type != "text") throw OpenAiException.BadField($"{param}[{i}].type", $"Content parts of type '{type}' are not supported; only 'text'.");
                    text.Append(JsonRequest.RequiredString(part, "text"));
                }
                return text.ToString();
            default:
                throw JsonRequest.WrongType(param, "a string or an array of content parts", content);
        }
    }
}
