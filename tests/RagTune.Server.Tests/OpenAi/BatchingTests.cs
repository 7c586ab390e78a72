using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;
using RagTune.Models.Generation;
using RagTune.Server.OpenAi;
using RagTune.Server.Tests.Support;

namespace RagTune.Server.Tests.OpenAi;

/// <summary>
/// Continuous batching through the HTTP API: concurrent streams share the batcher and each gets exactly the answer it
/// gets alone; a client that disconnects frees its row; a full queue answers 429 with Retry-After.
/// </summary>
public class BatchingTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    static readonly string[] Questions = ["w1 w2", "w3 w4 w5 w6", "w7", "w8 w9 w10", "w11 w12 w13 w14 w15 w16", "w17 w18", "w19 w20 w21", "w22"];

    static async Task<string> StreamAsync(ChatClient chat, string question, int maxTokens)
    {
        var text = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(question)],
                           new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = maxTokens }))
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
        return text.ToString();
    }

    [Fact]
    public async Task EightConcurrentStreamsEachEqualTheirSequentialAnswer()
    {
        var chat = fixture.Server.OpenAi().GetChatClient("tiny-chat");
        var sequential = new List<string>();
        for (var i = 0; i < Questions.Length; i++) sequential.Add(await StreamAsync(chat, Questions[i], 10 + 3 * i));
        var concurrent = await Task.WhenAll(Questions.Select((q, i) => Task.Run(() => StreamAsync(chat, q, 10 + 3 * i))));
        Assert.Equal(sequential, concurrent);
        Assert.Contains(sequential, s => s.Length > 0);
    }

    [Fact]
    public async Task ADisconnectedClientCancelsItsGenerationAndFreesItsRow()
    {
        await using var server = await RunningServer.StartAsync(new ServerOptions { Models = [ModelFolders.Long] });
        var batcher = (await server.App.Services.GetRequiredService<ServedModelCatalog>().GetAsync("tiny-long", default)).Batcher!;
        using var http = server.HangingUpHttp();
        using var cts = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
        {
            Content = JsonContent.Create(new
            {
                model = "tiny-long", stream = true, temperature = 0, max_tokens = 4000, prompt = new[] { 1, 2, 3 },
            }),
        };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        var buffer = new byte[64];
        Assert.True(await stream.ReadAsync(buffer, cts.Token) > 0); // streaming has begun
        cts.Cancel();
        response.Dispose();

        // The row goes once the server notices the closed connection (4000 tokens would take far longer).
        for (var i = 0; i < 400 && (batcher.ActiveRows > 0 || batcher.CancelledRequests == 0); i++) await Task.Delay(25);
        Assert.Equal(0, batcher.ActiveRows);
        Assert.Equal(1, batcher.CancelledRequests);
    }

    [Fact]
    public async Task ARequestOverTheServersTimeoutAnswers408AndFreesItsRow()
    {
        await using var server = await RunningServer.StartAsync(new ServerOptions { Models = [ModelFolders.Long], RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var batcher = (await server.App.Services.GetRequiredService<ServedModelCatalog>().GetAsync("tiny-long", default)).Batcher!;
        using var http = server.Http();
        // 4,000 tokens take far longer than 300 ms on this model (0.75 s at least), so the server's timeout ends the run:
        // the batcher checks the deadline before every step, whatever the thread pool's timers do.
        var response = await http.PostAsJsonAsync("v1/completions", new { model = "tiny-long", prompt = new[] { 1, 2, 3 }, max_tokens = 4000, temperature = 0 });
        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        var error = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("timeout", (string)error["code"]!);
        for (var i = 0; i < 400 && (batcher.ActiveRows > 0 || batcher.CancelledRequests == 0); i++) await Task.Delay(25);
        Assert.Equal(0, batcher.ActiveRows);
        Assert.Equal(1, batcher.CancelledRequests);
        // The server stays up and its model's freed row serves the next generation (through the batcher: a short
        // request over HTTP could itself outlast 300 ms on a loaded machine).
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v1/models")).StatusCode);
        var (next, _) = await batcher.Submit(new BatchedGenerationRequest([1, 2, 3], new GenerationOptions { MaxNewTokens = 2, StopTokenIds = [] })).ReadToEndAsync();
        Assert.Equal(2, next.Count);
    }

    [Fact]
    public async Task AFullQueueAnswers429WithRetryAfter()
    {
        await using var server = await RunningServer.StartAsync(new ServerOptions { Models = [ModelFolders.Long], MaxBatch = 1, QueueLimit = 0 });
        using var http = server.Http();
        // One row, no queue: of several simultaneous long generations, one runs and the others are refused.
        var requests = Enumerable.Range(0, 6).Select(_ => http.PostAsJsonAsync("v1/completions",
            new { model = "tiny-long", prompt = new[] { 1, 2, 3 }, max_tokens = 400, temperature = 0 }));
        var responses = await Task.WhenAll(requests);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, r.StatusCode.ToString()));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(refused, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter?.Delta));
        Assert.Contains("queue_full", await refused[0].Content.ReadAsStringAsync());
    }
}
