using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace RagTune.Application.Tests.Compare.Support;

/// <summary>
/// A minimal OpenAI-compatible server on loopback for tests (a stand-in for Ollama or vLLM): POST
/// <c>/v1/chat/completions</c>, plain or streamed (server-sent events), answered by any <see cref="IChatClient"/>.
/// </summary>
public sealed class LoopbackChatServer : IAsyncDisposable
{
    readonly HttpListener _listener = new();
    readonly IChatClient _chat;
    readonly Task _loop;
    readonly CancellationTokenSource _stop = new();
    int _requests;

    public LoopbackChatServer(IChatClient chat)
    {
        _chat = chat;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}/v1";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The endpoint, e.g. http://127.0.0.1:5123/v1.</summary>
    public string BaseUrl { get; }

    /// <summary>Chat completion requests answered.</summary>
    public int Requests => Volatile.Read(ref _requests);

    async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            // One request at a time: the local model is not meant for concurrent calls.
            try { await HandleAsync(context); }
            catch (Exception e)
            {
                context.Response.StatusCode = 500;
                await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(e.Message));
                context.Response.Close();
            }
        }
    }

    async Task HandleAsync(HttpListenerContext context)
    {
        if (context.Request.HttpMethod != "POST" || !context.Request.Url!.AbsolutePath.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            context.Response.Close();
            return;
        }
        var body = JsonNode.Parse(await new StreamReader(context.Request.InputStream).ReadToEndAsync())!;
        var messages = body["messages"]!.AsArray().Select(m => new ChatMessage(new ChatRole(m!["role"]!.GetValue<string>()), Content(m["content"]))).ToList();
        var options = new ChatOptions
        {
            MaxOutputTokens = (body["max_completion_tokens"] ?? body["max_tokens"])?.GetValue<int>(),
            Temperature = body["temperature"]?.GetValue<float>(),
        };
        var text = (await _chat.GetResponseAsync(messages, options)).Text;
        Interlocked.Increment(ref _requests);
        var model = body["model"]?.GetValue<string>() ?? "model";
        var response = context.Response;
        if (body["stream"]?.GetValue<bool>() == true)
        {
            response.ContentType = "text/event-stream";
            await Send(response, "data: " + Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = text }, null) + "\n\n");
            await Send(response, "data: " + Chunk(model, new JsonObject(), "stop") + "\n\n");
            await Send(response, "data: [DONE]\n\n");
        }
        else
        {
            response.ContentType = "application/json";
            await Send(response, new JsonObject
            {
                ["id"] = "chatcmpl-test", ["object"] = "chat.completion", ["created"] = 0, ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text }, ["finish_reason"] = "stop" }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 0, ["completion_tokens"] = 0, ["total_tokens"] = 0 },
            }.ToJsonString());
        }
        response.Close();
    }

    static string Content(JsonNode? content) => content switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };

    static string Chunk(string model, JsonObject delta, string? finish) => new JsonObject
    {
        ["id"] = "chatcmpl-test", ["object"] = "chat.completion.chunk", ["created"] = 0, ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    }.ToJsonString();

    static async Task Send(HttpListenerResponse response, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await response.OutputStream.WriteAsync(bytes);
        await response.OutputStream.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
        _listener.Close();
    }
}
