using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using RagTune.Server.Tests.Support;
using RagTune.Tests;

namespace RagTune.Server.Tests.Operations;

/// <summary>API keys, health while a model is missing, Prometheus metrics, request ids.</summary>
public class OperationsTests
{
    [Fact]
    public async Task ABadOrMissingApiKeyIs401AndAGoodOneWorks()
    {
        var keyFile = Path.Combine(TestPaths.NewTempDir("keys"), "keys.txt");
        File.WriteAllLines(keyFile, ["# server keys", "sk-first", "", "sk-second"]);
        await using var server = await RunningServer.StartAsync(new ServerOptions { Models = [ModelFolders.Chat], ApiKeyFile = keyFile });
        using var http = server.Http();

        var missing = await http.GetAsync("v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Contains("invalid_api_key", await missing.Content.ReadAsStringAsync());
        var wrong = await Assert.ThrowsAsync<ClientResultException>(() => server.OpenAi("sk-firsT").GetOpenAIModelClient().GetModelsAsync());
        Assert.Equal(401, wrong.Status);

        var models = (await server.OpenAi("sk-second").GetOpenAIModelClient().GetModelsAsync()).Value;
        Assert.Equal("tiny-chat", Assert.Single(models).Id);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health")).StatusCode); // health needs no key
    }

    [Fact]
    public async Task HealthIs503WhileAModelCannotBeServedAndTheServerStaysUp()
    {
        var missing = Path.Combine(TestPaths.NewTempDir("no-model"), "gone");
        var options = new ServerOptions { Models = [missing], Urls = ["http://127.0.0.1:0"] };
        await using var app = RagTuneServer.Build(options);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First() + "/") };
        HttpResponseMessage health;
        do
        {
            health = await http.GetAsync("health");
        } while ((await health.Content.ReadAsStringAsync()).Contains("loading"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("does not exist", await health.Content.ReadAsStringAsync());
        var chat = await http.PostAsJsonAsync("v1/completions", new { model = "gone", prompt = "w1" });
        Assert.Equal(HttpStatusCode.InternalServerError, chat.StatusCode);
        Assert.Contains("model_load_failed", await chat.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v1/models")).StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task MetricsCountRequestsTokensAndTimeToFirstToken()
    {
        await using var server = await RunningServer.StartAsync(new ServerOptions { Models = [ModelFolders.Chat] });
        using var http = server.Http();
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
        {
            Content = JsonContent.Create(new { model = "tiny-chat", prompt = new[] { 1, 2, 3 }, max_tokens = 5, temperature = 0, stop = Array.Empty<string>() }),
        };
        request.Headers.Add("X-Request-Id", "test-request-1");
        var response = await http.SendAsync(request);
        Assert.Equal("test-request-1", response.Headers.GetValues("X-Request-Id").Single());

        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("ragtune_requests_total{endpoint=\"/v1/completions\",status=\"200\"} 1", metrics);
        Assert.Contains("ragtune_prompt_tokens_total 3", metrics);
        Assert.Contains("ragtune_time_to_first_token_seconds_count 1", metrics);
        Assert.Contains("ragtune_active_slots{model=\"tiny-chat\"} 0", metrics);
        Assert.Contains("ragtune_queue_depth{model=\"tiny-chat\"} 0", metrics);
        Assert.Matches(@"ragtune_generated_tokens_total [1-5]\n", metrics);
        Assert.Equal(new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" }.MediaType, (await http.GetAsync("metrics")).Content.Headers.ContentType!.MediaType);
    }
}
