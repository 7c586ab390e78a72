using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using RagTune.Tests;

namespace RagTune.Server.Tests.Support;

/// <summary>A real RagTune server on a free loopback port, with its own data folder, and an HttpClient to it.</summary>
public sealed class TestServer : IAsyncDisposable
{
    readonly WebApplication _app;

    TestServer(WebApplication app, ServerOptions options)
    {
        _app = app;
        Options = options;
        BaseAddress = new Uri(app.Urls.First());
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>The options it runs with.</summary>
    public ServerOptions Options { get; }

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri BaseAddress { get; }

    /// <summary>The server's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>A client bound to the server.</summary>
    public HttpClient Client { get; }

    /// <summary>The CLI built next to the tests, as the worker command (<c>dotnet ragtune.dll</c>).</summary>
    public static IReadOnlyList<string> CliWorker =>
        [Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet", Path.Combine(AppContext.BaseDirectory, "ragtune.dll")];

    /// <summary>Options with a fresh data folder, the bigram model served, and the CLI as worker.</summary>
    public static ServerOptions DefaultOptions(string? dataDirectory = null) => new()
    {
        Urls = ["http://127.0.0.1:0"],
        DataDirectory = dataDirectory ?? TestPaths.NewTempDir("server-data"),
        Models = [BigramChatModel.Path_],
        WorkerCommand = CliWorker,
    };

    /// <summary>Starts a server with <paramref name="options"/>.</summary>
    public static async Task<TestServer> StartAsync(ServerOptions? options = null)
    {
        options ??= DefaultOptions();
        var app = RagTuneServer.Build(options);
        await app.StartAsync();
        return new TestServer(app, options);
    }

    /// <summary>GET as JSON, asserting success.</summary>
    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>POST JSON, asserting success.</summary>
    public async Task<JsonElement> PostJsonAsync(string path, object body)
    {
        using var response = await Client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls <paramref name="path"/> until <paramref name="done"/> holds (or fails after <paramref name="timeout"/>).</summary>
    public async Task<JsonElement> WaitForAsync(string path, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await GetJsonAsync(path);
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} did not reach the expected state in {timeout}: {value}");
            await Task.Delay(200);
        }
    }

    /// <summary>Asserts an OpenAI-style error with <paramref name="status"/> and returns its error object.</summary>
    public static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.True(error.TryGetProperty("type", out _));
        return error.Clone();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
