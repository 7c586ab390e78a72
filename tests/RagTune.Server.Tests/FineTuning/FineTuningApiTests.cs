using System.Text.Json;
using RagTune.Server.Tests.KnowledgeBases;
using RagTune.Server.Tests.Support;

namespace RagTune.Server.Tests.FineTuning;

/// <summary>/v1/files and /v1/fine_tuning/jobs on a real server whose jobs run as real <c>ragtune finetune</c> child processes.</summary>
[Trait("Tier", "Integration")]
public sealed class FineTuningApiTests
{
    static bool Finished(JsonElement job) => job.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled";

    [Fact]
    public async Task A_job_from_file_upload_to_a_served_model()
    {
        await using var server = await TestServer.StartAsync();
        var fileId = await FineTuningData.UploadAsync(server);
        var file = await server.GetJsonAsync($"/v1/files/{fileId}");
        Assert.Equal("fine-tune", file.GetProperty("purpose").GetString());
        Assert.Equal(FineTuningData.Jsonl, await server.Client.GetStringAsync($"/v1/files/{fileId}/content"));

        var created = await server.PostJsonAsync("/v1/fine_tuning/jobs", FineTuningData.Job(fileId, maxSteps: 6, saveEvery: 3));
        Assert.Equal("queued", created.GetProperty("status").GetString());
        var id = created.GetProperty("id").GetString()!;
        var job = await server.WaitForAsync($"/v1/fine_tuning/jobs/{id}", Finished, TimeSpan.FromSeconds(120));
        Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());
        var model = job.GetProperty("fine_tuned_model").GetString()!;
        Assert.StartsWith($"ft:{Path.GetFileName(BigramChatModel.Path_)}:test:", model);

        // Metrics events: one per step with loss and tokens/s, newest first.
        var events = (await server.GetJsonAsync($"/v1/fine_tuning/jobs/{id}/events?limit=100")).GetProperty("data").EnumerateArray().ToList();
        var metrics = events.Where(e => e.GetProperty("type").GetString() == "metrics").Select(e => e.GetProperty("data")).Reverse().ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], metrics.Where(m => m.GetProperty("train_loss").ValueKind == JsonValueKind.Number).Select(m => m.GetProperty("step").GetInt32()).ToArray());
        Assert.All(metrics, m => Assert.True(m.GetProperty("tokens_per_second").GetDouble() > 0));
        Assert.Contains(events, e => e.GetProperty("message").GetString()!.Contains("successfully completed"));

        var checkpoints = (await server.GetJsonAsync($"/v1/fine_tuning/jobs/{id}/checkpoints")).GetProperty("data").EnumerateArray().ToList();
        Assert.Contains(checkpoints, c => c.GetProperty("step_number").GetInt32() == 6);

        // The model is served: listed, and usable for a grounded answer.
        var config = await server.GetJsonAsync("/api/ui/config");
        Assert.Contains(model, config.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        await server.PostJsonAsync("/api/knowledge-bases", new { name = "ft" });
        await KnowledgeBaseApiTests.UploadAndIngestAsync(server, "ft", "veltoria.md", RagTune.Server.Tests.Support.BigramChatModel.Document);
        var answer = await server.PostJsonAsync("/api/knowledge-bases/ft/ask", new { question = "What is the capital of Veltoria?", model });
        Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("answer").GetString()));

        var list = await server.GetJsonAsync("/v1/fine_tuning/jobs");
        Assert.Equal(id, list.GetProperty("data")[0].GetProperty("id").GetString());
        using (var r = await server.Client.PostAsync($"/v1/fine_tuning/jobs/{id}/cancel", null)) await TestServer.AssertErrorAsync(r, 409);
        using (var r = await server.Client.DeleteAsync($"/v1/files/{fileId}")) Assert.True(r.IsSuccessStatusCode);
        using (var r = await server.Client.GetAsync($"/v1/files/{fileId}")) await TestServer.AssertErrorAsync(r, 404);
    }

    [Fact]
    public async Task A_crashing_trainer_fails_the_job_with_the_reason_and_the_server_stays_up()
    {
        // The worker dies like the kernel's OOM killer would kill it: SIGKILL, no error output of its own.
        var options = TestServer.DefaultOptions() with { WorkerCommand = ["bash", "-c", "echo 'loading model' >&2; kill -9 $$", "ragtune"] };
        await using var server = await TestServer.StartAsync(options);
        var fileId = await FineTuningData.UploadAsync(server);
        var id = (await server.PostJsonAsync("/v1/fine_tuning/jobs", FineTuningData.Job(fileId))).GetProperty("id").GetString();
        var job = await server.WaitForAsync($"/v1/fine_tuning/jobs/{id}", Finished, TimeSpan.FromSeconds(30));
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Equal("training_crashed", job.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("killed", job.GetProperty("error").GetProperty("message").GetString());
        using var health = await server.Client.GetAsync("/health");
        Assert.True(health.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Cancel_kills_the_child_and_a_restart_fails_a_job_that_was_running()
    {
        var marker = Path.Combine(RagTune.Tests.TestPaths.NewTempDir("worker"), "pid");
        // A worker that never finishes on its own: it records its pid and sleeps.
        var options = TestServer.DefaultOptions() with { WorkerCommand = ["bash", "-c", $"echo $$ > {marker}; exec sleep 300", "ragtune"] };
        string running;
        await using (var server = await TestServer.StartAsync(options))
        {
            var fileId = await FineTuningData.UploadAsync(server);
            var first = (await server.PostJsonAsync("/v1/fine_tuning/jobs", FineTuningData.Job(fileId))).GetProperty("id").GetString();
            await server.WaitForAsync($"/v1/fine_tuning/jobs/{first}", j => j.GetProperty("status").GetString() == "running", TimeSpan.FromSeconds(30));
            // "running" means the child was started, not that its shell got as far as writing the pid: wait for it,
            // or a cancel in between kills the shell first and there is no pid to check.
            var pid = 0;
            await WaitUntilAsync(() => File.Exists(marker) && int.TryParse(File.ReadAllText(marker).Trim(), out pid), TimeSpan.FromSeconds(10), "the worker never wrote its pid");
            var cancelled = await server.PostJsonAsync($"/v1/fine_tuning/jobs/{first}/cancel", new { });
            Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
            await WaitUntilAsync(() => !ProcessAlive(pid), TimeSpan.FromSeconds(10), $"process {pid} still alive after cancel");

            File.Delete(marker);
            running = (await server.PostJsonAsync("/v1/fine_tuning/jobs", FineTuningData.Job(fileId))).GetProperty("id").GetString()!;
            await server.WaitForAsync($"/v1/fine_tuning/jobs/{running}", j => j.GetProperty("status").GetString() == "running", TimeSpan.FromSeconds(30));
        }
        // The server stopped while the job ran (no checkpoint): a new server on the same data reports it failed.
        await using (var restarted = await TestServer.StartAsync(options))
        {
            var job = await restarted.GetJsonAsync($"/v1/fine_tuning/jobs/{running}");
            Assert.Equal("failed", job.GetProperty("status").GetString());
            Assert.Equal("server_restarted", job.GetProperty("error").GetProperty("code").GetString());
            var statuses = (await restarted.GetJsonAsync("/v1/fine_tuning/jobs")).GetProperty("data").EnumerateArray().Select(j => j.GetProperty("status").GetString()).ToList();
            Assert.Equal(["cancelled", "failed"], statuses.Order().ToArray()); // created in the same second: order not asserted
        }
    }

    static bool ProcessAlive(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string message)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail(message);
            await Task.Delay(100);
        }
    }
}
