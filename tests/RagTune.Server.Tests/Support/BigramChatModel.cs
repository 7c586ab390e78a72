using RagTune.Models;
using RagTune.Tests;
using RagTune.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Server.Tests.Support;

/// <summary>
/// A tiny Llama checkpoint (hidden 64, 2 layers, word-level tokenizer, ChatML template) whose weights make it a
/// bigram model, so what it says is known: attention and MLP outputs are zeroed (o_proj, down_proj), the residual
/// stream is the current token's embedding, and the LM head maps each token of <see cref="Answer"/> to the next.
/// After the chat template's <c>assistant</c> it writes "Marnis is the capital of Veltoria [1]" and stops — a
/// grounded answer with a citation, through the real engine, tokenizer and template.
/// </summary>
public static class BigramChatModel
{
    /// <summary>The answer the model gives to any chat prompt.</summary>
    public const string Answer = "Marnis is the capital of Veltoria [1]";

    /// <summary>A document that contains the answer.</summary>
    public const string Document = "# Veltoria\n\nVeltoria is a small country in the north. The capital of Veltoria is Marnis. Marnis has a river port.\n";

    static readonly Lazy<string> Folder = new(() => Create(TestPaths.NewTempDir("bigram-model")));

    /// <summary>The model folder (created once per test run), named <c>bigram-model-…</c>.</summary>
    public static string Path_ => Folder.Value;

    /// <summary>Creates the model in <paramref name="dir"/>.</summary>
    public static string Create(string dir)
    {
        var chain = new[] { "assistant" }.Concat(Answer.Split(' ')).Append("<|im_end|>").ToArray();
        TinyModelFolder.Create(dir, [Answer, Document.Replace("\n", " ").Replace("#", ""), "a b c d e f g h"], hidden: 64, layers: 2, heads: 4, maxPositions: 512, chatMl: true);
        var vocab = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "tokenizer.json")))!["model"]!["vocab"]!.AsObject();
        var id = (string word) => vocab[word]?.GetValue<int>() ?? (word == "<|im_end|>" ? 5 : throw new InvalidOperationException($"'{word}' is not in the vocabulary"));
        using var model = ModelLoader.Load(dir);
        using (no_grad())
        {
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            var hidden = (int)parameters["model.embed_tokens.weight"].shape[1];
            var vocabSize = (int)parameters["model.embed_tokens.weight"].shape[0];
            var random = new Random(7);
            var embeddings = new float[vocabSize, hidden];
            for (var v = 0; v < vocabSize; v++)
            {
                double norm = 0;
                for (var h = 0; h < hidden; h++) { embeddings[v, h] = (float)(random.NextDouble() * 2 - 1); norm += embeddings[v, h] * embeddings[v, h]; }
                for (var h = 0; h < hidden; h++) embeddings[v, h] /= (float)Math.Sqrt(norm);
            }
            var head = new float[vocabSize, hidden];
            for (var i = 0; i + 1 < chain.Length; i++)
            {
                var (from, to) = (id(chain[i]), id(chain[i + 1]));
                for (var h = 0; h < hidden; h++) head[to, h] += 10 * embeddings[from, h];
            }
            parameters["model.embed_tokens.weight"].copy_(tensor(embeddings));
            parameters["lm_head.weight"].copy_(tensor(head));
            foreach (var (name, p) in parameters)
                if (name.EndsWith("o_proj.weight", StringComparison.Ordinal) || name.EndsWith("down_proj.weight", StringComparison.Ordinal)) p.zero_();
        }
        ModelSaver.Save(model, dir);
        return dir;
    }
}
