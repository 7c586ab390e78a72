using RagTune.Models.Tokenization;
using RagTune.Tests;

namespace RagTune.Models.Tests.Tokenization;

/// <summary>Bad folders and files fail with a <see cref="TokenizerLoadException"/> whose message names the file.</summary>
public class TokenizerLoaderErrorTests
{
    static TokenizerLoadException Load(string dir) => Assert.Throws<TokenizerLoadException>(() => TokenizerLoader.FromFolder(dir));

    static string Folder(params (string Name, string Content)[] files)
    {
        var dir = TestPaths.NewTempDir("tok-errors");
        foreach (var (name, content) in files) File.WriteAllText(Path.Combine(dir, name), content);
        return dir;
    }

    [Fact]
    public void MissingFolder_NamesTheFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "no-such-tokenizer-folder-" + Guid.NewGuid().ToString("N"));
        Assert.Contains(dir, Load(dir).Message);
    }

    [Fact]
    public void FolderWithoutTokenizerFiles_ListsWhatIsExpected()
    {
        var e = Load(Folder(("config.json", "{}")));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("tokenizer.model", e.Message);
    }

    [Fact]
    public void MalformedTokenizerJson_NamesTheFile()
    {
        var e = Load(Folder(("tokenizer.json", "{\"model\": {\"type\": \"BPE\", ")));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("malformed JSON", e.Message);
    }

    [Fact]
    public void UnknownModelType_NamesFileAndType()
    {
        var e = Load(Folder(("tokenizer.json", "{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", 0.0]]}}")));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("model type 'Unigram'", e.Message);
    }

    [Theory]
    [InlineData("normalizer", "{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"AAAA\"}", "normalizer type 'Precompiled'")]
    [InlineData("pre_tokenizer", "{\"type\": \"UnicodeScripts\"}", "pre_tokenizer type 'UnicodeScripts'")]
    [InlineData("decoder", "{\"type\": \"CTC\"}", "decoder type 'CTC'")]
    [InlineData("post_processor", "{\"type\": \"Mystery\"}", "post_processor type 'Mystery'")]
    public void UnsupportedComponent_NamesFileAndComponent(string section, string component, string expected)
    {
        var json = $"{{\"{section}\": {component}, \"model\": {{\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"vocab\": {{\"[UNK]\": 0}}}}}}";
        var e = Load(Folder(("tokenizer.json", json)));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MalformedTokenizerConfig_NamesTheFile()
    {
        var e = Load(Folder(("vocab.txt", "[UNK]\n[CLS]\n[SEP]\n"), ("tokenizer_config.json", "{not json")));
        Assert.Contains("tokenizer_config.json", e.Message);
    }

    [Fact]
    public void MergeWithUnknownToken_NamesMergesTxt()
    {
        var e = Load(Folder(("vocab.json", "{\"a\": 0, \"b\": 1}"), ("merges.txt", "#version: 0.2\na c\n")));
        Assert.Contains("merges.txt", e.Message);
        Assert.Contains("'a c'", e.Message);
    }

    [Fact]
    public void VocabJsonWithoutMerges_NamesMergesTxt()
    {
        var e = Load(Folder(("vocab.json", "{\"a\": 0}")));
        Assert.Contains("merges.txt", e.Message);
    }

    [Fact]
    public void VocabTxtWithoutUnk_NamesVocabTxt()
    {
        var e = Load(Folder(("vocab.txt", "hello\nworld\n")));
        Assert.Contains("vocab.txt", e.Message);
        Assert.Contains("[UNK]", e.Message);
    }

    [Fact]
    public void TruncatedSentencePieceModel_NamesTheFile()
    {
        var dir = TestPaths.NewTempDir("tok-errors");
        var bytes = File.ReadAllBytes(Path.Combine(TestPaths.Tokenizer("mistral-sentencepiece"), "tokenizer.model"));
        File.WriteAllBytes(Path.Combine(dir, "tokenizer.model"), bytes[..1001]);
        Assert.Contains("tokenizer.model", Load(dir).Message);
    }
}
