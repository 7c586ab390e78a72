#pragma warning disable OPENAI001 // the fine-tuning client is marked experimental
using System.ClientModel;
using OpenAI;
using OpenAI.Files;
using OpenAI.FineTuning;
using RagTune.Server.Tests.Support;

namespace RagTune.Server.Tests.FineTuning;

/// <summary>The official OpenAI .NET client runs a fine-tuning job: file upload → job → events → a model it can chat with.</summary>
[Trait("Tier", "Integration")]
public sealed class FineTuningOpenAiClientTests
{
    [Fact]
    public async Task The_openai_client_fine_tunes_and_chats_with_the_result()
    {
        await using var server = await TestServer.StartAsync();
        var client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "/v1") });
        OpenAIFile file = await client.GetOpenAIFileClient().UploadFileAsync(BinaryData.FromString(FineTuningData.Jsonl), "train.jsonl", FileUploadPurpose.FineTune);
        Assert.Equal("train.jsonl", file.Filename);

        var tuning = client.GetFineTuningClient();
        var job = await tuning.FineTuneAsync(Path.GetFileName(BigramChatModel.Path_), file.Id, waitUntilCompleted: false,
            new FineTuningOptions { Suffix = "client" });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (job.Status != FineTuningStatus.Succeeded && job.Status != FineTuningStatus.Failed && job.Status != FineTuningStatus.Cancelled)
        {
            Assert.True(DateTime.UtcNow < deadline, $"job {job.JobId} still {job.Status}");
            await Task.Delay(300);
            await job.UpdateStatusAsync();
        }
        Assert.Equal(FineTuningStatus.Succeeded, job.Status);
        // This client version keeps fine_tuned_model internal: read it from the job's JSON.
        var model = (await server.GetJsonAsync($"/v1/fine_tuning/jobs/{job.JobId}")).GetProperty("fine_tuned_model").GetString()!;
        Assert.StartsWith("ft:", model);

        var events = new List<FineTuningEvent>();
        await foreach (var e in job.GetEventsAsync(new GetEventsOptions { PageSize = 100 })) events.Add(e);
        Assert.Contains(events, e => e.Message.Contains("training loss", StringComparison.Ordinal));

        var answer = await client.GetChatClient(model).CompleteChatAsync([new OpenAI.Chat.UserChatMessage("What is the capital of Veltoria")]);
        Assert.False(string.IsNullOrWhiteSpace(answer.Value.Content[0].Text));
    }
}
