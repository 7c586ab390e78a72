using RagTune.Models.Gguf;
using RagTune.Models.Tests.Tokenization;
using RagTune.Models.Tokenization;
using RagTune.Tests;
using RagTune.Tests.Gguf;

namespace RagTune.Models.Tests.Gguf;

/// <summary>
/// The tokenizer written into GGUF, as llama.cpp reads it, tokenizes the fixture strings (special tokens, unicode,
/// leading spaces, …) exactly as our tokenizer of the original folder and our tokenizer rebuilt from the GGUF file.
/// </summary>
public sealed class GgufTokenizerLlamaCppTests
{
    [Theory]
    [InlineData("gpt2", 50257)]
    [InlineData("mistral-sentencepiece", 32000)]
    public void Llamacpp_tokenizes_our_export_as_we_do(string fixture, int vocab)
    {
        var dir = TinyModels.Llama(vocab, hidden: 32, intermediate: 64, layers: 1, heads: 2, kvHeads: 2, tied: true, tokenizerDir: TestPaths.Tokenizer(fixture));
        try
        {
            var path = Path.Combine(dir, "model.gguf");
            GgufExporter.Export(dir, path, new GgufExportOptions { FileType = GgufFileType.F16 });
            var texts = TokenizerFixtures.CasesOf(fixture).Select(c => c!["text"]!.GetValue<string>()).ToList();
            var llama = LlamaCpp.TokenizeWithVocabularyOnly(path, texts);
            var folder = TokenizerLoader.FromFolder(dir);
            var imported = TokenizerLoader.FromFolder(path);
            var failures = new List<string>();
            for (var i = 0; i < texts.Count; i++)
            {
                var ours = folder.Encode(texts[i]);
                var fromGguf = imported.Encode(texts[i]);
                if (!ours.SequenceEqual(llama[i])) failures.Add($"[{i}] {Show(texts[i])}: llama.cpp {string.Join(",", llama[i])} ≠ ours {string.Join(",", ours)}");
                if (!fromGguf.SequenceEqual(ours)) failures.Add($"[{i}] {Show(texts[i])}: GGUF-imported {string.Join(",", fromGguf)} ≠ folder {string.Join(",", ours)}");
            }
            Assert.True(failures.Count == 0, $"{failures.Count} mismatches of {texts.Count} strings:\n{string.Join("\n", failures)}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static string Show(string s) => s.Length > 40 ? System.Text.Json.JsonSerializer.Serialize(s[..40]) + "…" : System.Text.Json.JsonSerializer.Serialize(s);
}
