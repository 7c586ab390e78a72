using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using RagTune.Server.Tests.Support;

namespace RagTune.Server.Tests.OpenAi;

/// <summary>Bad input gets OpenAI's error object with the right status, and the server keeps answering afterwards.</summary>
public class ErrorResponseTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    async Task<(HttpStatusCode Status, JsonObject Error)> PostAsync(string path, HttpContent content)
    {
        using var http = fixture.Server.Http();
        var response = await http.PostAsync(path, content);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        // The server survived: health still answers.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health")).StatusCode);
        return (response.StatusCode, body["error"]!.AsObject());
    }

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task MalformedJsonIs400()
    {
        var (status, error) = await PostAsync("v1/chat/completions", Json("""{"model": "tiny-chat", "messages": [ """));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request_error", (string)error["type"]!);
        Assert.Contains("not valid JSON", (string)error["message"]!);
    }

    [Theory]
    [InlineData("""{"model": "tiny-chat", "messages": [{"role": "user", "content": "w1"}], "temperature": "hot"}""", "temperature")]
    [InlineData("""{"model": "tiny-chat", "messages": [{"role": "user", "content": "w1"}], "max_tokens": 1.5}""", "max_tokens")]
    [InlineData("""{"model": "tiny-chat", "messages": "w1"}""", "messages")]
    [InlineData("""{"model": 7, "messages": [{"role": "user", "content": "w1"}]}""", "model")]
    [InlineData("""{"model": "tiny-chat", "messages": [{"role": "user", "content": "w1"}], "top_p": 3}""", "top_p")]
    [InlineData("""{"model": "tiny-chat", "messages": [{"role": "robot", "content": "w1"}]}""", "messages[0].role")]
    [InlineData("""{"model": "tiny-chat"}""", "messages")]
    public async Task WrongTypesAndValuesAre400NamingTheField(string json, string param)
    {
        var (status, error) = await PostAsync("v1/chat/completions", Json(json));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, (string)error["param"]!);
    }

    [Fact]
    public async Task AHugeBodyIs413()
    {
        var huge = "{\"model\": \"tiny-chat\", \"messages\": [{\"role\": \"user\", \"content\": \"" + new string('w', 5 * 1024 * 1024) + "\"}]}";
        var (status, error) = await PostAsync("v1/chat/completions", Json(huge));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("request_too_large", (string)error["code"]!);
    }

    [Fact]
    public async Task AnUnknownModelIs404ForTheOfficialClientToo()
    {
        var (status, error) = await PostAsync("v1/completions", Json("""{"model": "no-such-model", "prompt": "w1"}"""));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("model_not_found", (string)error["code"]!);

        var chat = fixture.Server.OpenAi().GetChatClient("no-such-model");
        var e = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("w1")]));
        Assert.Equal(404, e.Status);
    }

    [Fact]
    public async Task WrongModelKindsAndPromptsTooLongAre400()
    {
        var (status, _) = await PostAsync("v1/chat/completions", Json("""{"model": "tiny-embed", "messages": [{"role": "user", "content": "w1"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        (status, _) = await PostAsync("v1/embeddings", Json("""{"model": "tiny-chat", "input": "w1"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var longPrompt = string.Join(" ", Enumerable.Repeat("w5", 400)); // the model's context is 256
        (status, var error) = await PostAsync("v1/completions", Json($$"""{"model": "tiny-chat", "prompt": "{{longPrompt}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("context", (string)error["message"]!);
    }
}
