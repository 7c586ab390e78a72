using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RagTune.Models.Hub;

/// <summary>
/// Downloads a model repo from a Hugging Face Hub into the hub cache layout (shared with <c>huggingface_hub</c>)
/// and returns the snapshot folder. Lists files with <c>/api/models/{repo}/revision/{rev}</c>, fetches each with
/// <c>/{repo}/resolve/{commit}/{file}</c>, and resumes interrupted transfers from <c>blobs/&lt;etag&gt;.incomplete</c>
/// with HTTP Range requests.
/// </summary>
public sealed partial class HubDownloader : IDisposable
{
    readonly HubOptions _options;
    readonly HttpClient _http;

    /// <param name="options">Endpoint, cache, token, offline mode; default <see cref="HubOptions.FromEnvironment"/>.</param>
    /// <param name="handler">HTTP handler (tests); redirects are followed by this class, so it should not follow them.</param>
    public HubDownloader(HubOptions? options = null, HttpMessageHandler? handler = null)
    {
        _options = options ?? HubOptions.FromEnvironment();
        // Redirects are followed by hand: the first response of a resolve URL carries X-Linked-Etag / X-Repo-Commit,
        // and the token must not be forwarded to the CDN host.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>True when <paramref name="value"/> looks like <c>org/name</c> and is not an existing local path.</summary>
    public static bool LooksLikeRepoId(string value) => HubCache.LooksLikeRepoId(value);

    /// <summary>The cached snapshot folder of <paramref name="repoId"/> at <paramref name="revision"/>, or null.</summary>
    public string? FindCached(string repoId, string revision = "main") =>
        new HubCache(_options.CacheDirectory, repoId).FindSnapshot(revision);

    /// <summary>
    /// Makes <paramref name="repoId"/> at <paramref name="revision"/> available locally and returns its snapshot folder.
    /// Offline, only the cache is used. Online, files already in the snapshot are not fetched again; when the hub
    /// cannot be reached but a snapshot is cached, the cached one is returned.
    /// </summary>
    public async Task<string> DownloadAsync(string repoId, string revision = "main", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repoId);
        ArgumentException.ThrowIfNullOrWhiteSpace(revision);
        var cache = new HubCache(_options.CacheDirectory, repoId);
        if (_options.Offline)
            return cache.FindSnapshot(revision) ?? throw new HubException(
                $"'{repoId}' at revision '{revision}' is not in the hub cache ({cache.RepoDirectory}) and offline mode is on. " +
                "HINT: run once without --offline (or HF_HUB_OFFLINE=1) to download it, or pass a local model folder.");

        RepoInfo info;
        try
        {
            info = await GetRepoInfoAsync(repoId, revision, cancellationToken);
        }
        catch (HttpRequestException e) when (cache.FindSnapshot(revision) is { } cached)
        {
            // Same fallback as huggingface_hub: an unreachable hub is not fatal when the snapshot is already here.
            _ = e;
            return cached;
        }
        cache.WriteRef(revision, info.Commit);
        var snapshot = cache.Snapshot(info.Commit);
        Directory.CreateDirectory(snapshot);
        foreach (var file in info.Files.Where(Allowed))
        {
            if (File.Exists(Path.Combine(snapshot, file))) continue;
            var blob = await DownloadFileAsync(cache, repoId, info.Commit, file, cancellationToken);
            cache.LinkIntoSnapshot(info.Commit, file, blob);
        }
        return snapshot;
    }

    sealed record RepoInfo(string Commit, IReadOnlyList<string> Files);

    async Task<RepoInfo> GetRepoInfoAsync(string repoId, string revision, CancellationToken ct)
    {
        var url = $"{_options.Endpoint}/api/models/{repoId}/revision/{Uri.EscapeDataString(revision)}";
        using var response = await SendAsync(HttpMethod.Get, url, null, HttpCompletionOption.ResponseContentRead, ct);
        EnsureSuccess(response, repoId, revision, url);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var root = json.RootElement;
        var commit = root.TryGetProperty("sha", out var sha) ? sha.GetString() : null;
        if (string.IsNullOrEmpty(commit)) throw new HubException($"{url} returned no commit 'sha'.");
        var files = root.TryGetProperty("siblings", out var siblings)
            ? siblings.EnumerateArray().Select(s => s.GetProperty("rfilename").GetString()!).ToList()
            : [];
        return new RepoInfo(commit, files);
    }

    async Task<string> DownloadFileAsync(HubCache cache, string repoId, string commit, string file, CancellationToken ct)
    {
        var url = $"{_options.Endpoint}/{repoId}/resolve/{commit}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}";
        string etag;
        long? size;
        using (var head = await SendAsync(HttpMethod.Head, url, null, HttpCompletionOption.ResponseHeadersRead, ct, followRedirects: false))
        {
            if (!IsRedirect(head.StatusCode)) EnsureSuccess(head, repoId, commit, url);
            etag = NormalizeEtag(Header(head, "X-Linked-Etag") ?? head.Headers.ETag?.Tag ?? Header(head, "ETag"))
                   ?? throw new HubException($"{url} sent no ETag; cannot name the blob in the cache.");
            size = long.TryParse(Header(head, "X-Linked-Size"), out var linked) ? linked : head.Content.Headers.ContentLength;
        }
        var blob = cache.Blob(etag);
        if (File.Exists(blob)) return blob;
        Directory.CreateDirectory(cache.BlobsDirectory);
        var incomplete = blob + ".incomplete";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await TransferAsync(url, incomplete, ct);
                break;
            }
            catch (Exception e) when (e is IOException or HttpRequestException && attempt < _options.MaxRetries)
            {
                // The partial file stays; the next attempt asks only for the missing bytes.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), ct);
            }
        }
        Verify(incomplete, url, etag, size);
        File.Move(incomplete, blob, overwrite: true);
        return blob;
    }

    async Task TransferAsync(string url, string incomplete, CancellationToken ct)
    {
        var have = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
        var range = have > 0 ? new RangeHeaderValue(have, null) : null;
        using var response = await SendAsync(HttpMethod.Get, url, range, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) return; // already complete
        EnsureSuccess(response, url, "", url);
        // A 200 to a Range request means the server ignored the range: start over rather than append a second copy.
        var append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        await using var output = new FileStream(incomplete, append ? FileMode.Append : FileMode.Create, FileAccess.Write,
            FileShare.None, 1 << 20, useAsync: true);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var expected = response.Content.Headers.ContentLength;
        var copied = 0L;
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
            copied += read;
        }
        if (expected is { } n && copied < n) throw new IOException($"{url}: connection closed after {copied} of {n} bytes.");
    }

    static void Verify(string path, string url, string etag, long? size)
    {
        var length = new FileInfo(path).Length;
        if (size is { } s && length != s)
            throw new HubException($"{url}: downloaded {length} bytes, expected {s}. HINT: delete {path} and retry.");
        // LFS files are named by their sha256, so the content can be checked; git blobs (sha1 of a header) are not.
        if (!Sha256Etag().IsMatch(etag)) return;
        using var stream = File.OpenRead(path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (hash != etag)
        {
            stream.Dispose();
            File.Delete(path);
            throw new HubException($"{url}: sha256 {hash} does not match the ETag {etag}; the partial file was removed, retry.");
        }
    }

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, RangeHeaderValue? range,
        HttpCompletionOption completion, CancellationToken ct, bool followRedirects = true)
    {
        var origin = new Uri(url);
        var uri = origin;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.UserAgent.ParseAdd("ragtune/0.1");
            if (range is not null) request.Headers.Range = range;
            // The token goes to the hub only, never to the storage host a redirect points at.
            if (_options.Token is { } token && uri.Host == origin.Host)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var response = await _http.SendAsync(request, completion, ct);
            if (!followRedirects || !IsRedirect(response.StatusCode) || response.Headers.Location is null || hop >= 10)
                return response;
            uri = new Uri(uri, response.Headers.Location);
            response.Dispose();
        }
    }

    static void EnsureSuccess(HttpResponseMessage response, string repoId, string revision, string url)
    {
        if (response.IsSuccessStatusCode) return;
        var hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                "HINT: the repo may be gated or private; set HF_TOKEN to a token with access.",
            HttpStatusCode.NotFound => $"HINT: check the repo id '{repoId}' and revision '{revision}'.",
            _ => "HINT: check HF_ENDPOINT and the network, or use --offline with a cached copy.",
        };
        throw new HttpRequestException($"{url} returned {(int)response.StatusCode} {response.ReasonPhrase}. {hint}",
            null, response.StatusCode);
    }

    bool Allowed(string file) => _options.AllowPatterns is not { } patterns || patterns.Any(p => Glob(p, file));

    internal static bool Glob(string pattern, string file) =>
        Regex.IsMatch(file, "^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$");

    internal static string? NormalizeEtag(string? etag)
    {
        if (etag is null) return null;
        if (etag.StartsWith("W/", StringComparison.Ordinal)) etag = etag[2..];
        return etag.Trim('"');
    }

    static bool IsRedirect(HttpStatusCode code) => (int)code is >= 300 and < 400;

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Etag();

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
