using System.Text.Json.Nodes;
using RagTune.Tests;

namespace RagTune.Server.Tests.Support;

/// <summary>
/// Tiny checkpoint folders for server tests, built from the parity fixtures: a chat model (the llama3-style decoder, a
/// 512-word WordLevel tokenizer with ChatML specials, the ChatML template) and an embedding model (the BERT fixture with
/// a WordPiece vocab.txt).
/// </summary>
internal static class ModelFolders
{
    static readonly Lazy<string> Root = new(() => TestPaths.NewTempDir("server-models"));
    static readonly Lazy<string> ChatLazy = new(CreateChat);
    static readonly Lazy<string> EmbedLazy = new(CreateEmbed);

    /// <summary>The chat model folder (id "tiny-chat"); shared by the tests, never modified.</summary>
    public static string Chat => ChatLazy.Value;

    /// <summary>The embedding model folder (id "tiny-embed").</summary>
    public static string Embed => EmbedLazy.Value;

    static string CreateChat()
    {
        var dir = Path.Combine(Root.Value, "tiny-chat");
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
            ["added_tokens"] = new JsonArray(Special(510, "<|im_start|>"), Special(511, "<|im_end|>")),
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

    static string CreateEmbed()
    {
        var dir = Path.Combine(Root.Value, "tiny-embed");
        Directory.CreateDirectory(dir);
        var source = Path.Combine(TestPaths.Parity("bert"), "base-model");
        foreach (var file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(source, file), Path.Combine(dir, file));
        string[] specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), specials.Concat(Enumerable.Range(0, 512 - specials.Length).Select(i => $"w{i}")));
        return dir;
    }

    static JsonObject Special(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
        ["normalized"] = false, ["special"] = true,
    };
}
