namespace RagTune.Cli.Tests.Commands;

/// <summary><c>ragtune pretrain</c> through <see cref="CliApp"/>: bad input is a clear error (the recipe itself is tested in RagTune.Training.Tests).</summary>
[Collection(TokenizeCommandConsoleCollection.Name)]
public class PretrainCommandTests
{
    [Fact]
    public async Task MissingCorpus_IsABadInputNamingTheFile()
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var stderr = new StringWriter();
        Console.SetOut(new StringWriter());
        Console.SetError(stderr);
        try
        {
            var missing = Path.Combine(Path.GetTempPath(), "ragtune-no-such-corpus.jsonl");
            var exit = await CliApp.RunAsync(["pretrain", "--data", missing, "--out", Path.Combine(Path.GetTempPath(), "ragtune-pretrain-never")]);
            Assert.Equal((int)ExitCode.BadInput, exit);
            Assert.Contains(missing, stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
