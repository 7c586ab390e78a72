using RagTune.Tests;

namespace RagTune.Cli.Tests;

/// <summary><c>ragtune tokenize</c> end to end through <see cref="CliApp.RunAsync"/>, on the tokenizer fixtures.</summary>
public class TokenizeCommandTests
{
    static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Gpt2_PrintsCommaSeparatedIds()
    {
        var (exit, output, _) = await Run("tokenize", "--model", TestPaths.Tokenizer("gpt2"), "--text", "Hello world");
        Assert.Equal(0, exit);
        Assert.Equal("15496,995", output.Trim());
    }

    [Fact]
    public async Task Gpt2_RecognisesSpecialTokenText()
    {
        var (_, output, _) = await Run("tokenize", "--model", TestPaths.Tokenizer("gpt2"), "--text", "<|endoftext|> special");
        Assert.Equal("50256,2041", output.Trim());
    }

    [Theory]
    [InlineData(false, "101,7592,2088,102")]
    [InlineData(true, "7592,2088")]
    public async Task Bert_SpecialTokensUnlessNoSpecial(bool noSpecial, string expected)
    {
        string[] args = ["tokenize", "--model", TestPaths.Tokenizer("bert-base-uncased"), "--text", "Hello world"];
        var (exit, output, _) = await Run(noSpecial ? [.. args, "--no-special"] : args);
        Assert.Equal(0, exit);
        Assert.Equal(expected, output.Trim());
    }

    [Fact]
    public async Task MissingFolder_FailsWithTheFolderNamed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"));
        var (exit, output, error) = await Run("tokenize", "--model", dir, "--text", "x");
        Assert.Equal((int)ExitCode.NotFound, exit);
        Assert.Equal("", output);
        Assert.Contains(dir, error);
    }
}
