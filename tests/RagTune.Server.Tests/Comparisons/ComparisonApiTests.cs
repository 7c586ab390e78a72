using System.Text.Json;
using RagTune.Server.Tests.KnowledgeBases;
using RagTune.Server.Tests.Support;

namespace RagTune.Server.Tests.Comparisons;

/// <summary>Comparison runs: bad requests are refused; a run whose <c>ragtune compare</c> child fails shows failed with the child's reason.</summary>
public sealed class ComparisonApiTests
{
    [Fact]
    public async Task Bad_requests_are_refused_and_a_failing_child_fails_the_run()
    {
        await using var server = await TestServer.StartAsync();
        async Task Expect(HttpResponseMessage response, int status) { using (response) await TestServer.AssertErrorAsync(response, status); }
        await Expect(await server.Client.PostAsync("/api/comparisons", KnowledgeBaseApiTests.JsonContent(new { config = "{ not json" })), 400);
        await Expect(await server.Client.PostAsync("/api/comparisons", KnowledgeBaseApiTests.JsonContent(new { config = "{}", format = "xml" })), 400);
        await Expect(await server.Client.PostAsync("/api/comparisons", KnowledgeBaseApiTests.JsonContent(new { name = "no config" })), 400);
        await Expect(await server.Client.GetAsync("/api/comparisons/cmp-nope"), 404);
        await Expect(await server.Client.GetAsync("/api/comparisons/cmp-nope/report.json"), 404);

        // The child gets a config the compare verb cannot use: the run fails with the child's error, the server goes on.
        var run = await server.PostJsonAsync("/api/comparisons", new { config = new { arms = "none" }, name = "broken" });
        var id = run.GetProperty("id").GetString();
        var done = await server.WaitForAsync($"/api/comparisons/{id}", r => r.GetProperty("run").GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(60));
        var final = done.GetProperty("run");
        Assert.Equal("failed", final.GetProperty("status").GetString());
        Assert.Contains("exited with code", final.GetProperty("error").GetString());
        await Expect(await server.Client.GetAsync($"/api/comparisons/{id}/report.html"), 404);
        await Expect(await server.Client.GetAsync($"/api/comparisons/{id}/..%2F..%2Frun.json"), 404);
        Assert.Equal(JsonValueKind.Array, (await server.GetJsonAsync("/api/comparisons")).GetProperty("data").ValueKind);
    }
}
