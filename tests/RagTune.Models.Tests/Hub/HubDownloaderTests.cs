using System.Text;
using RagTune.Models.Hub;
using RagTune.Tests;

namespace RagTune.Models.Tests.Hub;

/// <summary>HubDownloader against a local fake hub on 127.0.0.1 — never the internet.</summary>
public sealed class HubDownloaderTests : IDisposable
{
    readonly FakeHubServer _server = new();
    readonly string _cache = TestPaths.NewTempDir("hub-cache");
    readonly byte[] _weights = Enumerable.Range(0, 3_000_000).Select(i => (byte)(i * 31 % 251)).ToArray();

    public HubDownloaderTests()
    {
        _server.Files["config.json"] = Encoding.UTF8.GetBytes("""{"model_type":"llama"}""");
        _server.Files["model.safetensors"] = _weights;
        _server.Files["sub/notes.txt"] = Encoding.UTF8.GetBytes("hello");
        _server.Files["pytorch_model.bin"] = [1, 2, 3];
        _server.LfsFiles.Add("model.safetensors");
    }

    HubDownloader Downloader(bool offline = false, string? token = null) => new(new HubOptions
    {
        Endpoint = _server.Endpoint, CacheDirectory = _cache, Offline = offline, Token = token,
        AllowPatterns = HubOptions.ModelFilePatterns,
    });

    [Fact]
    public async Task DownloadWritesHubCacheLayout()
    {
        using var hub = Downloader();
        var snapshot = await hub.DownloadAsync("org/tiny");

        var repo = Path.Combine(_cache, "models--org--tiny");
        Assert.Equal(Path.Combine(repo, "snapshots", FakeHubServer.Commit), snapshot);
        Assert.Equal(FakeHubServer.Commit, File.ReadAllText(Path.Combine(repo, "refs", "main")));
        var weights = Path.Combine(snapshot, "model.safetensors");
        Assert.Equal(_weights, File.ReadAllBytes(weights));
        Assert.Equal(Path.Combine("..", "..", "blobs", FakeHubServer.Sha256(_weights)), new FileInfo(weights).LinkTarget);
        Assert.True(File.Exists(Path.Combine(repo, "blobs", FakeHubServer.GitSha1(_server.Files["config.json"]))));
        Assert.Equal("hello", File.ReadAllText(Path.Combine(snapshot, "sub", "notes.txt")));
        Assert.False(File.Exists(Path.Combine(snapshot, "pytorch_model.bin"))); // not in the allow patterns
        Assert.Empty(Directory.GetFiles(Path.Combine(repo, "blobs"), "*.incomplete"));
    }

    [Fact]
    public async Task InterruptedTransferResumesWithRange()
    {
        _server.CutNextTransfer = ("model.safetensors", 1_000_000);
        using var hub = Downloader();
        var snapshot = await hub.DownloadAsync("org/tiny");

        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
        var gets = _server.Log.Where(l => l.StartsWith("GET /cdn/model.safetensors")).ToList();
        Assert.Equal(2, gets.Count);
        Assert.Contains("range=bytes=1000000-", gets[1]);
    }

    [Fact]
    public async Task LeftoverIncompleteFileIsResumed()
    {
        var blobs = Path.Combine(_cache, "models--org--tiny", "blobs");
        Directory.CreateDirectory(blobs);
        File.WriteAllBytes(Path.Combine(blobs, FakeHubServer.Sha256(_weights) + ".incomplete"), _weights[..1234]);
        using var hub = Downloader();
        var snapshot = await hub.DownloadAsync("org/tiny");

        Assert.Equal(_weights, File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
        Assert.Contains(_server.Log, l => l.StartsWith("GET /cdn/model.safetensors range=bytes=1234-"));
    }

    [Fact]
    public async Task OfflineUsesCacheAndFailsClearlyWhenMissing()
    {
        using (var offline = Downloader(offline: true))
        {
            var error = await Assert.ThrowsAsync<HubException>(() => offline.DownloadAsync("org/tiny"));
            Assert.Contains("offline", error.Message);
            Assert.Contains("org/tiny", error.Message);
        }
        using (var online = Downloader()) await online.DownloadAsync("org/tiny");
        var requests = _server.Log.Count;
        using (var offline = Downloader(offline: true))
        {
            var snapshot = await offline.DownloadAsync("org/tiny");
            Assert.True(File.Exists(Path.Combine(snapshot, "config.json")));
            Assert.Equal(snapshot, await offline.DownloadAsync("org/tiny", FakeHubServer.Commit));
        }
        Assert.Equal(requests, _server.Log.Count);
    }

    [Fact]
    public async Task TokenGoesToHubButNotToCdn()
    {
        _server.RequiredToken = "secret";
        using (var anonymous = Downloader())
            await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.DownloadAsync("org/tiny"));
        using var hub = Downloader(token: "secret");
        await hub.DownloadAsync("org/tiny");
        Assert.All(_server.Log.Where(l => l.Contains("/cdn/")), l => Assert.EndsWith("auth=", l));
    }

    [Fact]
    public void EnvironmentVariablesAreRead()
    {
        var env = new Dictionary<string, string>
        {
            ["HF_ENDPOINT"] = "http://mirror.local/", ["HF_HOME"] = "/tmp/hfhome", ["HF_TOKEN"] = "t", ["HF_HUB_OFFLINE"] = "1",
        };
        var options = HubOptions.FromEnvironment(k => env.GetValueOrDefault(k));
        Assert.Equal("http://mirror.local", options.Endpoint);
        Assert.Equal(Path.Combine("/tmp/hfhome", "hub"), options.CacheDirectory);
        Assert.Equal("t", options.Token);
        Assert.True(options.Offline);
    }

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_cache, recursive: true);
    }
}
