namespace RagTune.Models.Tokenization;

/// <summary>Loads the tokenizer of a Hugging Face checkpoint folder.</summary>
public static class TokenizerLoader
{
    /// <summary>
    /// The tokenizer in <paramref name="dir"/>: <c>tokenizer.json</c> when present, else the legacy files
    /// <c>vocab.json</c>+<c>merges.txt</c> (GPT-2 byte-level BPE), <c>vocab.txt</c> (WordPiece) or
    /// <c>tokenizer.model</c> (SentencePiece BPE); <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c>
    /// supply special tokens and flags. A GGUF file instead of a folder gives the tokenizer stored in its metadata. Throws <see cref="TokenizerLoadException"/> naming the file on any problem.
    /// </summary>
    public static ITokenizer FromFolder(string dir)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        if (Gguf.GgufModelLoader.IsGgufFile(dir))
        {
            using var file = OpenGguf(dir);
            return Gguf.GgufTokenizerReader.Read(file);
        }
        if (!Directory.Exists(dir)) throw new TokenizerLoadException(dir, "folder not found");
        var config = TokenizerConfig.Load(dir);
        var json = Path.Combine(dir, "tokenizer.json");
        if (File.Exists(json)) return TokenizerJsonReader.Read(json, config);
        if (File.Exists(Path.Combine(dir, "vocab.json")) || File.Exists(Path.Combine(dir, "merges.txt")))
            return LegacyTokenizerReader.ReadGpt2(dir, config);
        if (File.Exists(Path.Combine(dir, "vocab.txt"))) return LegacyTokenizerReader.ReadWordPiece(dir, config);
        var model = Path.Combine(dir, "tokenizer.model");
        if (File.Exists(model)) return new SentencePieceTokenizer(SentencePieceModel.Load(model), config);
        throw new TokenizerLoadException(dir,
            "no tokenizer files: expected tokenizer.json, vocab.json + merges.txt, vocab.txt or tokenizer.model. HINT: copy the tokenizer files of the checkpoint into this folder.");
    }

    static Gguf.GgufFile OpenGguf(string path)
    {
        try { return Gguf.GgufFile.Open(path); }
        catch (ModelLoadException e) { throw new TokenizerLoadException(path, e.Message, e); }
    }

    /// <summary>A tokenizer from one <c>tokenizer.json</c> file; the config files next to it are read when present.</summary>
    public static ITokenizer FromTokenizerJson(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new TokenizerLoadException(path, "file not found");
        return TokenizerJsonReader.Read(path, TokenizerConfig.Load(Path.GetDirectoryName(Path.GetFullPath(path))!));
    }
}
