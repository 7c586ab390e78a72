using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RagTune.Server.Common;

namespace RagTune.Server.Comparisons;

/// <summary>
/// Comparison runs, one at a time, each a <c>ragtune compare --config &lt;run&gt;/config.* --out &lt;run&gt;/report</c> child
/// process (the verb's contract: exit 0 once report.json, report.html and report.md are in --out; progress lines on
/// stderr). State under <c>DataDirectory/comparisons/&lt;id&gt;/</c>: <c>run.json</c> (atomic), <c>progress.log</c>, <c>report/</c>.
/// A run interrupted by a restart is marked failed (the verb has no resume).
/// </summary>
public sealed class ComparisonRunner : IHostedService
{
    /// <summary>The report files a run exposes.</summary>
    public static readonly string[] ReportFiles = ["report.json", "report.html", "report.md"];

    const int KeptLines = 200;
    readonly ServerOptions _options;
    readonly ILogger<ComparisonRunner> _log;
    readonly string _root;
    readonly ConcurrentDictionary<string, ComparisonRun> _runs = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, List<string>> _lines = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, CancellationTokenSource> _cancels = new(StringComparer.Ordinal);
    readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    readonly CancellationTokenSource _stopping = new();
    readonly Lock _stateLock = new();
    Task _loop = Task.CompletedTask;

    /// <summary>A runner over <c>DataDirectory/comparisons</c>.</summary>
    public ComparisonRunner(ServerOptions options, ILogger<ComparisonRunner> log)
    {
        (_options, _log) = (options, log);
        _root = Path.Combine(Path.GetFullPath(options.DataDirectory), "comparisons");
        Directory.CreateDirectory(_root);
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            if (AtomicFile.ReadJson<ComparisonRun>(Path.Combine(dir, "run.json")) is not { } run || Path.GetFileName(dir) != run.Id) continue;
            _runs[run.Id] = run;
            var log = Path.Combine(dir, "progress.log");
            _lines[run.Id] = File.Exists(log) ? File.ReadLines(log).TakeLast(KeptLines).ToList() : [];
            if (run.Status == "running") Save(run with { Status = "failed", Error = "The server stopped while the comparison was running. HINT: start it again.", FinishedAt = Now() });
            else if (run.Status == "queued") _queue.Writer.TryWrite(run.Id);
        }
        _loop = Task.Run(RunLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, cancellationToken));
    }

    /// <summary>Stores the config and queues a run. <paramref name="format"/>: json (default) or yaml.</summary>
    public ComparisonRun Start(string? config, string? format, string? name)
    {
        if (string.IsNullOrWhiteSpace(config)) throw ApiError.BadRequest("'config' (the compare config file's text, or a JSON object) is required.", "config");
        if (config.Length > 1 << 20) throw ApiError.TooLarge("'config' is over 1 MB.", "config");
        var ext = format switch
        {
            null or "json" => "json",
            "yaml" or "yml" => "yaml",
            _ => throw ApiError.BadRequest($"'format' must be json or yaml, got '{format}'.", "format"),
        };
        if (ext == "json")
        {
            try { using var _ = JsonDocument.Parse(config); }
            catch (JsonException e) { throw ApiError.BadRequest($"'config' is not valid JSON: {e.Message}", "config", "invalid_config"); }
        }
        if (name is { Length: > 100 }) throw ApiError.BadRequest("'name' is over 100 characters.", "name");
        var run = new ComparisonRun { Id = "cmp-" + Guid.NewGuid().ToString("N")[..20], Name = name, ConfigFile = $"config.{ext}", CreatedAt = Now() };
        var folder = Folder(run.Id);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, run.ConfigFile), config);
        _lines[run.Id] = [];
        Save(run);
        _queue.Writer.TryWrite(run.Id);
        return run;
    }

    /// <summary>Runs, newest first.</summary>
    public IReadOnlyList<ComparisonRun> List() => _runs.Values.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).ToList();

    /// <summary>The run <paramref name="id"/>, or a 404.</summary>
    public ComparisonRun Get(string? id) =>
        id is not null && _runs.TryGetValue(id, out var run) ? run : throw ApiError.NotFound($"No comparison run '{id}'.", "id", "comparison_not_found");

    /// <summary>The run's recent progress lines (stderr of the child), oldest first.</summary>
    public IReadOnlyList<string> Lines(string? id)
    {
        var run = Get(id);
        var lines = _lines.GetOrAdd(run.Id, _ => []);
        lock (lines) return [.. lines];
    }

    /// <summary>Path of a report file of a succeeded run, or a 404.</summary>
    public string ReportPath(string? id, string file)
    {
        var run = Get(id);
        if (!ReportFiles.Contains(file)) throw ApiError.NotFound($"Unknown report file '{file}'; expected one of {string.Join(", ", ReportFiles)}.", "file");
        var path = Path.Combine(Folder(run.Id), "report", file);
        return File.Exists(path) ? path : throw ApiError.NotFound($"The run '{id}' has no {file} (status {run.Status}).", "file", "report_not_ready");
    }

    /// <summary>Cancels a queued or running run.</summary>
    public ComparisonRun Cancel(string? id)
    {
        var run = Get(id);
        lock (_stateLock)
        {
            run = _runs[run.Id];
            if (run.IsFinished) throw ApiError.Conflict($"The run '{id}' is already {run.Status}.", "id", "run_finished");
            if (_cancels.TryGetValue(run.Id, out var cts)) cts.Cancel();
            Save(run with { Status = "cancelled", FinishedAt = Now() });
        }
        return _runs[run.Id];
    }

    async Task RunLoopAsync()
    {
        await foreach (var id in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            if (_stopping.IsCancellationRequested) return;
            if (!_runs.TryGetValue(id, out var run) || run.IsFinished) continue;
            try { await RunAsync(run); }
            catch (Exception e)
            {
                _log.LogError(e, "Comparison {Id} failed in the server", id);
                lock (_stateLock) Save(_runs[id] with { Status = "failed", Error = e.Message, FinishedAt = Now() });
            }
        }
    }

    async Task RunAsync(ComparisonRun run)
    {
        var folder = Folder(run.Id);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        lock (_stateLock)
        {
            if (_runs[run.Id].IsFinished) return;
            _cancels[run.Id] = cts;
            Save(_runs[run.Id] with { Status = "running" });
        }
        var report = Path.Combine(folder, "report");
        var info = WorkerCommand.StartInfo(_options, ["compare", "--config", Path.Combine(folder, run.ConfigFile), "--out", report], folder);
        using var worker = WorkerProcess.Start(info, (isError, line) => OnLine(run.Id, isError, line));
        var exitCode = await worker.WaitAsync(cts.Token);
        _cancels.TryRemove(run.Id, out _);
        if (_stopping.IsCancellationRequested) return;
        lock (_stateLock)
        {
            var current = _runs[run.Id];
            if (current.Status == "cancelled") return;
            var reports = ReportFiles.Where(f => File.Exists(Path.Combine(report, f))).ToList();
            Save(exitCode == 0 && reports.Contains("report.json")
                ? current with { Status = "succeeded", Reports = reports, FinishedAt = Now() }
                : current with { Status = "failed", Reports = reports, Error = exitCode == 0 ? "compare exited without writing report.json" : worker.FailureReason(exitCode), FinishedAt = Now() });
        }
    }

    void OnLine(string id, bool isError, string line)
    {
        if (!isError || line.Trim().Length == 0) return; // progress is on stderr; stdout is the human summary
        var lines = _lines.GetOrAdd(id, _ => []);
        lock (lines)
        {
            lines.Add(line);
            if (lines.Count > KeptLines) lines.RemoveAt(0);
            File.AppendAllText(Path.Combine(Folder(id), "progress.log"), line + "\n");
        }
        lock (_stateLock) if (_runs.TryGetValue(id, out var run) && !run.IsFinished) _runs[id] = run with { Progress = line.Length > 300 ? line[..300] : line };
    }

    void Save(ComparisonRun run)
    {
        lock (_stateLock)
        {
            AtomicFile.WriteJson(Path.Combine(Folder(run.Id), "run.json"), run);
            _runs[run.Id] = run;
        }
    }

    string Folder(string id) => SafeNames.Inside(_root, id);

    static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
