namespace RagTune.Cli.Tests.Commands;

/// <summary>
/// <c>ragtune demo</c> through <see cref="CliApp"/>. The full quick run is tested once, in RagTune.Application.Tests
/// (DemoEndToEndTests in RagTune.Application.Tests); here only what the verb itself adds.
/// </summary>
[Trait("Tier", "Integration")]   // end to end: trains or runs the demo or a ragtune process (dotnet test --filter "Tier!=Integration" skips it)
public class DemoCommandTests
{
    [Fact]
    public void Verb_HasSeedOutQuickCacheEmbedModelForceBaseOnlyAndPretrainSteps()
    {
        var demo = CliApp.BuildRoot().Subcommands.Single(c => c.Name == "demo");
        Assert.Equal(["--seed", "--out", "--quick", "--cache", "--embed-model", "--force", "--base-only", "--pretrain-steps"], demo.Options.Select(o => o.Name));
        var parsed = CliApp.BuildRoot().Parse(["demo"]);
        Assert.Empty(parsed.Errors);
    }

    [Fact]
    public async Task NonPositivePretrainSteps_AreRefusedBeforeAnyWork()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ragtune-demo-steps-" + Guid.NewGuid().ToString("N"));
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(["demo", "--quick", "--pretrain-steps", "0", "--out", dir], new StringWriter(), stderr);
        Assert.Equal((int)ExitCode.BadArguments, exit);
        Assert.Contains("--pretrain-steps", stderr.ToString());
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task OutputFolderThatIsAFile_FailsWithAHint()
    {
        var file = Path.GetTempFileName();
        var stderr = new StringWriter();
        try
        {
            var exit = await CliApp.RunAsync(["demo", "--quick", "--out", file], new StringWriter(), stderr);
            Assert.Equal((int)ExitCode.Failure, exit);
            Assert.Contains($"cannot write to '{file}'", stderr.ToString());
            Assert.Contains("--out", stderr.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ForeignNonEmptyFolder_IsNotTouched()
    {
        var dir = Directory.CreateTempSubdirectory("ragtune-demo-foreign").FullName;
        var mine = Path.Combine(dir, "models");
        Directory.CreateDirectory(mine);
        var stderr = new StringWriter();
        try
        {
            var exit = await CliApp.RunAsync(["demo", "--quick", "--out", dir], new StringWriter(), stderr);
            Assert.Equal((int)ExitCode.BadArguments, exit);
            Assert.Contains("not made by the demo", stderr.ToString());
            Assert.True(Directory.Exists(mine));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
