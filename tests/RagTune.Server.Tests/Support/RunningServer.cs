using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.AspNetCore.Builder;
using OpenAI;

namespace RagTune.Server.Tests.Support;

/// <summary>
/// The real server on Kestrel at 127.0.0.1 on a free port, as <c>ragtune serve</c> runs it; ready (health 200) when
/// <see cref="StartAsync"/> returns.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    RunningServer(WebApplication app, Uri address) => (App, Address) = (app, address);

    /// <summary>The application (its services: catalog, metrics).</summary>
    public WebApplication App { get; }

    /// <summary>The base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    /// <summary>A plain HTTP client on <see cref="Address"/>.</summary>
    public HttpClient Http() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>
    /// A client that hangs up at once when a response is disposed unread: the default handler first drains up to 1 MB
    /// for up to 2 s to reuse the connection, long enough for a short generation to finish instead of being cancelled.
    /// </summary>
    public HttpClient HangingUpHttp() =>
        new(new SocketsHttpHandler { MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The official OpenAI client pointed at <c>/v1</c> (no retries, so refusals reach the test).</summary>
    public OpenAIClient OpenAi(string key = "unused") => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(Address, "v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        NetworkTimeout = TimeSpan.FromSeconds(60),
    });

    /// <summary>Starts a server with the test models (chat and embeddings) unless <paramref name="options"/> says otherwise.</summary>
    public static async Task<RunningServer> StartAsync(ServerOptions? options = null)
    {
        options ??= new ServerOptions { Models = [ModelFolders.Chat], EmbedModel = ModelFolders.Embed };
        options = options with { Urls = ["http://127.0.0.1:0"], DataDirectory = RagTune.Tests.TestPaths.NewTempDir("server-data") };
        var app = RagTuneServer.Build(options);
        await app.StartAsync();
        var address = new Uri(app.Urls.First().Replace("[::]", "127.0.0.1") + "/");
        var server = new RunningServer(app, address);
        using var http = server.Http();
        for (var attempt = 0; ; attempt++)
        {
            var health = await http.GetAsync("health");
            if (health.IsSuccessStatusCode) break;
            if (attempt > 600) throw new TimeoutException($"The server did not become ready: {await health.Content.ReadAsStringAsync()}");
            await Task.Delay(50);
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
