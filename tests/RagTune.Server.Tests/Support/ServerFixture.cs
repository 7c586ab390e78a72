namespace RagTune.Server.Tests.Support;

/// <summary>One running server (chat + embedding model, default limits) shared by a test class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    RunningServer? _server;

    /// <summary>The server.</summary>
    public RunningServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
