using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace RagTune.Models.Tests.Hub;

/// <summary>
/// A minimal Hugging Face Hub on 127.0.0.1 (HttpListener): the revision API, resolve URLs with ETag / X-Linked-Etag
/// (LFS files redirect to a "CDN" path like the real hub), HTTP Range, and a switch that cuts a transfer short.
/// </summary>
internal sealed class FakeHubServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";
    public string Endpoint { get; }
    public string CdnBase { get; }
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);
    public HashSet<string> LfsFiles { get; } = new(StringComparer.Ordinal);
    public ConcurrentQueue<string> Log { get; } = new();
    /// <summary>When set, the next GET of this file sends this many bytes and then drops the connection.</summary>
    public (string File, int Bytes)? CutNextTransfer { get; set; }
    public string? RequiredToken { get; set; }

    public FakeHubServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        // A second host name for the same server plays the CDN, so redirects cross hosts as on the real hub.
        _listener.Prefixes.Add($"http://localhost:{port}/");
        CdnBase = $"http://localhost:{port}/cdn/";
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
    public static string GitSha1(byte[] data) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {data.Length}\0"), .. data]));

    async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            try { Handle(ctx); }
            catch (Exception e) when (e is HttpListenerException or IOException) { /* client went away */ }
        }
    }

    void Handle(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        var res = ctx.Response;
        var path = Uri.UnescapeDataString(req.Url!.AbsolutePath);
        Log.Enqueue($"{req.HttpMethod} {path} range={req.Headers["Range"]} auth={req.Headers["Authorization"]}");
        if (RequiredToken is { } token && !path.StartsWith("/cdn/") && req.Headers["Authorization"] != $"Bearer {token}")
        {
            res.StatusCode = 401;
            res.Close();
            return;
        }
        if (path.StartsWith("/api/models/org/tiny/revision/"))
        {
            var json = $$"""{"id":"org/tiny","sha":"{{Commit}}","siblings":[{{string.Join(",", Files.Keys.Select(f => $"{{\"rfilename\":\"{f}\"}}"))}}]}""";
            Write(res, Encoding.UTF8.GetBytes(json), 0);
            return;
        }
        const string resolve = "/org/tiny/resolve/";
        if (path.StartsWith(resolve))
        {
            var file = path[(resolve.Length + Commit.Length + 1)..];
            if (!Files.TryGetValue(file, out var data)) { res.StatusCode = 404; res.Close(); return; }
            res.Headers["X-Repo-Commit"] = Commit;
            if (LfsFiles.Contains(file))
            {
                // Like the hub: LFS content lives elsewhere; the redirect carries the sha256 ETag and the size.
                res.StatusCode = 302;
                res.Headers["X-Linked-Etag"] = $"\"{Sha256(data)}\"";
                res.Headers["X-Linked-Size"] = data.Length.ToString();
                res.Headers["Location"] = CdnBase + file;
                res.Close();
                return;
            }
            res.Headers["ETag"] = $"\"{GitSha1(data)}\"";
            Serve(req, res, file, data);
            return;
        }
        if (path.StartsWith("/cdn/") && Files.TryGetValue(path[5..], out var cdn))
        {
            Serve(req, res, path[5..], cdn);
            return;
        }
        res.StatusCode = 404;
        res.Close();
    }

    void Serve(HttpListenerRequest req, HttpListenerResponse res, string file, byte[] data)
    {
        var start = 0;
        if (req.Headers["Range"] is { } range && range.StartsWith("bytes="))
        {
            start = int.Parse(range[6..].TrimEnd('-').Split('-')[0]);
            res.StatusCode = 206;
            res.Headers["Content-Range"] = $"bytes {start}-{data.Length - 1}/{data.Length}";
        }
        if (req.HttpMethod == "HEAD")
        {
            res.ContentLength64 = data.Length;
            res.Close();
            return;
        }
        if (CutNextTransfer is { } cut && cut.File == file)
        {
            CutNextTransfer = null;
            res.ContentLength64 = data.Length - start;
            res.OutputStream.Write(data, start, cut.Bytes);
            res.OutputStream.Flush();
            res.Abort(); // drop the connection mid-body
            return;
        }
        Write(res, data, start);
    }

    static void Write(HttpListenerResponse res, byte[] data, int start)
    {
        res.ContentLength64 = data.Length - start;
        res.OutputStream.Write(data, start, data.Length - start);
        res.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
