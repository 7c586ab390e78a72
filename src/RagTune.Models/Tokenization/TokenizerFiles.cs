namespace RagTune.Models.Tokenization;

/// <summary>The file names of a Hugging Face tokenizer, in one place (loading, copying next to a fine-tuned model, checks).</summary>
public static class TokenizerFiles
{
    /// <summary>Files that hold a vocabulary, one of which <see cref="TokenizerLoader.FromFolder"/> needs.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = ["tokenizer.json", "vocab.json", "vocab.txt", "tokenizer.model"];

    /// <summary>Every tokenizer-side file a checkpoint folder may carry (vocabulary, merges, configs, chat templates,
    /// generation defaults): what a fine-tuned or exported model folder copies from its base.</summary>
    public static IReadOnlyList<string> All { get; } =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "vocab.txt",
         "tokenizer.model", "added_tokens.json", "generation_config.json", "chat_template.jinja", "chat_template.json"];

    /// <summary>True when <paramref name="dir"/> has a vocabulary file, i.e. a tokenizer can be loaded from it.</summary>
    public static bool ArePresentIn(string dir) => Vocabulary.Any(f => File.Exists(Path.Combine(dir, f)));

    /// <summary>Copies the tokenizer files <paramref name="fromDir"/> has into <paramref name="toDir"/> (overwriting).</summary>
    public static void Copy(string fromDir, string toDir)
    {
        foreach (var f in All)
            if (File.Exists(Path.Combine(fromDir, f))) File.Copy(Path.Combine(fromDir, f), Path.Combine(toDir, f), overwrite: true);
    }
}
