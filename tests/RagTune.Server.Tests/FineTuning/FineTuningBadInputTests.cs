using System.Text.Json;
using RagTune.Server.Tests.KnowledgeBases;
using RagTune.Server.Tests.Support;

namespace RagTune.Server.Tests.FineTuning;

/// <summary>Malformed training files and job requests get OpenAI-style 4xx errors and leave nothing behind.</summary>
public sealed class FineTuningBadInputTests
{
    [Fact]
    public async Task Bad_files_and_job_requests_get_openai_errors()
    {
        await using var server = await TestServer.StartAsync(TestServer.DefaultOptions() with { MaxUploadBytes = 2048 });
        async Task<JsonElement> Upload(string name, string content, int status, string purpose = "fine-tune")
        {
            using var form = new MultipartFormDataContent { { new StringContent(purpose), "purpose" }, { new StringContent(content), "file", name } };
            using var response = await server.Client.PostAsync("/v1/files", form);
            return await TestServer.AssertErrorAsync(response, status);
        }
        Assert.Contains("line 2", (await Upload("t.jsonl", "{\"text\":\"a\"}\nnot json\n", 400)).GetProperty("message").GetString());
        Assert.Equal("invalid_file_format", (await Upload("t.jsonl", "{\"other\":1}\n", 400)).GetProperty("code").GetString());
        await Upload("t.csv", "a,b\n", 415);
        await Upload("../../t.jsonl", "{\"text\":\"a\"}\n", 400);
        await Upload("t.jsonl", "{\"text\":\"a\"}\n", 400, purpose: "assistants");
        await Upload("t.jsonl", string.Concat(Enumerable.Repeat("{\"text\":\"aaaaaaaa\"}\n", 400)), 413);
        Assert.Empty((await server.GetJsonAsync("/v1/files")).GetProperty("data").EnumerateArray());

        var fileId = await FineTuningData.UploadAsync(server);
        async Task Create(object body, int status, string? param = null)
        {
            using var r = await server.Client.PostAsync("/v1/fine_tuning/jobs", KnowledgeBaseApiTests.JsonContent(body));
            var error = await TestServer.AssertErrorAsync(r, status);
            if (param is not null) Assert.Equal(param, error.GetProperty("param").GetString());
        }
        await Create(new { model = "no-such-model", training_file = fileId }, 404, "model");
        await Create(new { model = Path.GetFileName(BigramChatModel.Path_), training_file = "file-000000000000000000000000" }, 404, "training_file");
        await Create(new { model = Path.GetFileName(BigramChatModel.Path_), training_file = fileId, hyperparameters = new { n_epochs = 0 } }, 400, "hyperparameters.n_epochs");
        await Create(new { model = Path.GetFileName(BigramChatModel.Path_), training_file = fileId, hyperparameters = new { method = "magic" } }, 400, "hyperparameters.method");
        await Create(new { model = Path.GetFileName(BigramChatModel.Path_), training_file = fileId, hyperparameters = new { batch_size = "big" } }, 400);
        using (var r = await server.Client.GetAsync("/v1/fine_tuning/jobs/ftjob-nope")) await TestServer.AssertErrorAsync(r, 404);
        using (var r = await server.Client.GetAsync("/v1/files/..%2F..%2Fetc%2Fpasswd/content")) await TestServer.AssertErrorAsync(r, 404);
        Assert.Empty((await server.GetJsonAsync("/v1/fine_tuning/jobs")).GetProperty("data").EnumerateArray());
    }
}
