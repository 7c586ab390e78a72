using System.Text.Json.Nodes;
using RagTune.Tests;
using RagTune.Tests.Gguf;

namespace RagTune.Models.Tests.Gguf;

/// <summary>Tiny random Llama-family checkpoints written as HF folders, for GGUF tests the fixtures do not cover.</summary>
internal static class TinyModels
{
    /// <summary>
    /// A Llama folder (random weights, seeded) with the given shape; <paramref name="tokenizerDir"/>'s files are copied in,
    /// else a <see cref="TinyTokenizers.WriteByteLevelBpe"/> tokenizer of <paramref name="vocab"/> tokens is written.
    /// </summary>
    public static string Llama(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, bool tied,
        string? tokenizerDir = null, double std = 0.1, string modelType = "llama", long seed = 0)
    {
        var dir = TestPaths.NewTempDir("ragtune-gguf-model");
        var config = new JsonObject
        {
            ["model_type"] = modelType, ["architectures"] = new JsonArray(modelType == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"),
            ["vocab_size"] = vocab, ["hidden_size"] = hidden, ["intermediate_size"] = intermediate, ["num_hidden_layers"] = layers,
            ["num_attention_heads"] = heads, ["num_key_value_heads"] = kvHeads, ["max_position_embeddings"] = 512,
            ["rms_norm_eps"] = 1e-5, ["rope_theta"] = 10000.0, ["tie_word_embeddings"] = tied, ["hidden_act"] = "silu",
            ["bos_token_id"] = 1, ["eos_token_id"] = 2,
        };
        using (var model = ModelArchitectures.Create(ModelConfig.Parse(config.ToJsonString())))
        {
            model.InitializeWeights(seed, std);
            ModelSaver.Save(model, dir);
        }
        if (tokenizerDir is null) TinyTokenizers.WriteByteLevelBpe(dir, vocab);
        else
            foreach (var file in Directory.GetFiles(tokenizerDir).Where(f => !f.EndsWith("expected.json", StringComparison.Ordinal)))
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        return dir;
    }
}
