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
    static readonly Lazy<string> LongLazy = new(CreateLong);

    /// <summary>The chat model folder (id "tiny-chat"); shared by the tests, never modified.</summary>
    public static string Chat => ChatLazy.Value;

    /// <summary>
    /// A random decoder with a 4096-token context and no end-of-sequence token (id "tiny-long"): its generations run
    /// until max_tokens, long enough to be cancelled or to keep a row busy.
    /// </summary>
    public static string Long => LongLazy.Value;

    /// <summary>The embedding model folder (id "tiny-embed").</summary>
    public static string Embed => EmbedLazy.Value;

    static string CreateChat() => RagTune.Models.Tests.Clients.ChatModelFolder.Create(Path.Combine(Root.Value, "tiny-chat"));

    static string CreateLong()
    {
        var dir = Path.Combine(Root.Value, "tiny-long");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(Chat, "tokenizer.json"), Path.Combine(dir, "tokenizer.json"));
        var config = RagTune.Models.ModelConfig.Parse(new JsonObject
        {
            ["model_type"] = "llama", ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = 512,
            ["hidden_size"] = 64, ["intermediate_size"] = 128, ["num_hidden_layers"] = 2, ["num_attention_heads"] = 4,
            ["num_key_value_heads"] = 2, ["max_position_embeddings"] = 4096, ["rms_norm_eps"] = 1e-5, ["rope_theta"] = 10000.0,
            ["tie_word_embeddings"] = false, ["hidden_act"] = "silu", ["initializer_range"] = 0.02,
        }.ToJsonString());
        using var model = RagTune.Models.ModelArchitectures.Create(config);
        model.InitializeWeights(7);
        RagTune.Models.ModelSaver.Save(model, dir);
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
}
