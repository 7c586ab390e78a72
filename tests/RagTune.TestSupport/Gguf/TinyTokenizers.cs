using System.Text.Json.Nodes;

namespace RagTune.Tests.Gguf;

/// <summary>Small tokenizer files for test models whose fixtures ship no tokenizer.</summary>
public static class TinyTokenizers
{
    /// <summary>
    /// A GPT-2-style byte-level BPE of exactly <paramref name="vocabSize"/> tokens: &lt;pad&gt;, &lt;s&gt;, &lt;/s&gt;
    /// (ids 0–2, as the parity models' config), the 256 byte symbols, then merges of letter pairs.
    /// </summary>
    public static void WriteByteLevelBpe(string dir, int vocabSize)
    {
        var vocab = new JsonObject { ["<pad>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        var alphabet = ByteAlphabet();
        foreach (var symbol in alphabet) vocab[symbol] = vocab.Count;
        var merges = new List<string>();
        var letters = "etaoinshrdlucmfwypvbgk ".Select(c => c == ' ' ? "Ġ" : c.ToString()).ToList();
        foreach (var a in letters)
            foreach (var b in letters)
            {
                if (vocab.Count >= vocabSize) break;
                if (b == "Ġ" || vocab.ContainsKey(a + b)) continue;
                merges.Add($"{a} {b}");
                vocab[a + b] = vocab.Count;
            }
        File.WriteAllText(Path.Combine(dir, "vocab.json"), vocab.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n" + string.Join("\n", merges) + "\n");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"),
            """{"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "add_bos_token": true, "tokenizer_class": "GPT2Tokenizer"}""");
    }

    /// <summary>GPT-2's printable stand-ins for the 256 byte values (bytes_to_unicode).</summary>
    static List<string> ByteAlphabet()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var next = 256;
        return Enumerable.Range(0, 256).Select(b => ((char)(printable.Contains(b) ? b : next++)).ToString()).ToList();
    }

    /// <summary>Copies a model folder into a temp folder and adds <see cref="WriteByteLevelBpe"/> files.</summary>
    public static string ModelWithTokenizer(string modelDir, int vocabSize)
    {
        var dir = RagTune.Tests.TestPaths.NewTempDir("ragtune-gguf");
        foreach (var file in new[] { "config.json", "model.safetensors", "generation_config.json" })
            if (File.Exists(Path.Combine(modelDir, file))) File.Copy(Path.Combine(modelDir, file), Path.Combine(dir, file));
        WriteByteLevelBpe(dir, vocabSize);
        return dir;
    }
}
