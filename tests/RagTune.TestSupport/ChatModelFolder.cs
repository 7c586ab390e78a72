using System.Text.Json.Nodes;
using RagTune.Tests;

namespace RagTune.Models.Tests.Clients;

/// <summary>
/// A chat-ready checkpoint folder for tests: the llama3-style fixture model plus a 512-entry WordLevel tokenizer.json
/// (words w0…w499, chat role words, ChatML special tokens at 510/511) and a ChatML template with EOS <c>&lt;|im_end|&gt;</c>.
/// </summary>
public static class ChatModelFolder
{
    public const int ImStart = 510, ImEnd = 511;

    /// <summary>Writes the folder into <paramref name="dir"/> (created; default: a new temporary folder) and returns it.</summary>
    public static string Create(string? dir = null)
    {
        dir ??= TestPaths.NewTempDir("chat-model");
        Directory.CreateDirectory(dir);
        var source = TestPaths.Parity("llama3-style");
        foreach (var file in new[] { "config.json", "generation_config.json", "model.safetensors" })
            File.Copy(Path.Combine(source, file), Path.Combine(dir, file));
        var vocab = new JsonObject { ["[UNK]"] = 500, ["user"] = 501, ["assistant"] = 502, ["system"] = 503 };
        for (var i = 0; i < 500; i++) vocab[$"w{i}"] = i;
        for (var i = 504; i < 510; i++) vocab[$"x{i}"] = i;
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(Special(ImStart, "<|im_start|>"), Special(ImEnd, "<|im_end|>")),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "WhitespaceSplit" },
            ["post_processor"] = null,
            ["decoder"] = null,
            ["model"] = new JsonObject { ["type"] = "WordLevel", ["unk_token"] = "[UNK]", ["vocab"] = vocab },
        };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString());
        File.Copy(Path.Combine(TestPaths.Data, "templates", "chatml", "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
        return dir;
    }

    static JsonObject Special(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
        ["normalized"] = false, ["special"] = true,
    };
}
