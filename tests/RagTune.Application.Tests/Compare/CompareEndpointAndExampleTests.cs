using System.Text.Json.Nodes;
using RagTune.Application.Compare;
using RagTune.Application.Tests.Compare.Support;
using RagTune.Models.Clients;
using RagTune.Retrieval.Generation;
using RagTune.Tests;

namespace RagTune.Application.Tests.Compare;

[Trait("Tier", "Integration")]
public class CompareEndpointAndExampleTests
{
    [Fact]
    public async Task BaseAndRag_ThroughAnOpenAiCompatibleEndpoint_AnswerAsTheLocalModelDoes()
    {
        using var world = new CompareWorld();
        using var local = LocalClientFactory.CreateChatClient(world.ModelDir);
        await using var server = new LoopbackChatServer(local);
        var remote = CompareConfig.Load(world.WriteConfig("""["base", "rag"]""", model: server.BaseUrl + "#tiny", withUpdate: false));
        var viaServer = await CompareRunner.RunAsync(remote, Path.Combine(world.Root, "out-remote"));

        Assert.True(server.Requests >= 2 * 7, $"{server.Requests} requests reached the server");
        // The parity below means something only if the model says something.
        var said = viaServer.Arms.SelectMany(a => a.Items).Select(i => i.Prediction).ToList();
        Assert.True(said.Count(p => p.Trim().Length > 0 && !p.StartsWith("Not found", StringComparison.Ordinal)) >= 7, string.Join(" | ", said));
        var viaFolder = await CompareRunner.RunAsync(CompareConfig.Load(world.WriteConfig("""["base", "rag"]""", withUpdate: false)), Path.Combine(world.Root, "out-local"));
        foreach (var arm in viaServer.Arms)
        {
            var same = viaFolder.Arms.Single(a => a.Name == arm.Name);
            Assert.Equal(same.Items.Select(i => i.Prediction), arm.Items.Select(i => i.Prediction));
            Assert.Equal(same.Metrics["exact_match"].Value, arm.Metrics["exact_match"].Value);
        }
    }

    [Fact]
    public async Task RemoteModel_WithATrainingArm_IsRefusedBeforeAnyWork()
    {
        using var world = new CompareWorld();
        var config = CompareConfig.Load(world.WriteConfig("""["base", "ft-task"]""", model: "http://127.0.0.1:9/v1#m"));
        var e = await Assert.ThrowsAsync<CompareConfigException>(() => CompareRunner.RunAsync(config, Path.Combine(world.Root, "out")));
        Assert.Contains("arms[1]", e.Message);
        Assert.Contains("remote endpoint", e.Message);
        Assert.False(Directory.Exists(Path.Combine(world.Root, "out")));
    }

    [Fact]
    public async Task ExampleConfig_RunsOnATinyModel()
    {
        var example = Path.Combine(TestPaths.RepoRoot, "examples", "compare");
        var dir = TestPaths.NewTempDir("ragtune-compare-example");
        try
        {
            var texts = Directory.EnumerateFiles(example, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".json")).Select(File.ReadAllText)
                .Append(new GroundedPromptBuilder().SystemPrompt).Append(string.Join(" ", ComparePrompts.ClosedBook("x").Select(m => m.Text)));
            var model = TinyChatModel.Create(Path.Combine(dir, "model"), texts);
            var config = CompareConfig.Load(Path.Combine(example, "compare.json"));
            // Rewrites given by the user instead of generated ones (JSONL with "text").
            var rewrites = Path.Combine(dir, "rewrites.jsonl");
            File.WriteAllLines(rewrites, ["{\"document\": \"leave.md\", \"text\": \"Staff get 27 paid days off every year.\"}", "{\"text\": \"Bastion is the name of the security team.\"}"]);
            // The example's arms, made quick: one epoch, one rewrite per chunk, short answers.
            config = config with
            {
                Model = model,
                MaxNewTokens = 4,
                Training = config.Training with { Epochs = 1 },
                Arms = config.Arms.Select(a => a.Name == "ft-paraphrase" ? a with { Rewrites = rewrites } : a with { Paraphrases = 1, Training = null }).ToList(),
            };
            var report = await CompareRunner.RunAsync(config, Path.Combine(dir, "out"), new CompareRunOptions { BootstrapResamples = 1000 });

            Assert.Equal(["base", "rag", "ft-docs", "ft-paraphrase", "ft-task", "ft+rag", "raft"], report.Arms.Select(a => a.Name));
            Assert.All(report.Arms, a => Assert.Equal(8, a.Items.Count));
            Assert.All(report.Arms, a => Assert.Equal(2, a.UpdateItems.Count));
            Assert.True(report.Integrity.Checked);
            Assert.Equal(1.0, report.Arms.Single(a => a.Name == "rag").Metrics["recall@3"].Value);
            Assert.True(File.Exists(Path.Combine(dir, "out", "report.html")));
            var paraphrase = report.Arms.Single(a => a.Name == "ft-paraphrase");
            Assert.Equal(4 + 2, Assert.Single(paraphrase.TrainingFiles).Records);   // the four documents and the two given rewrites
            Assert.Contains("rewrites given in", paraphrase.Description);
            Assert.Equal(JsonNode.Parse(File.ReadAllText(Path.Combine(example, "compare.json")), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!["task"]!.GetValue<string>(), report.Task);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
