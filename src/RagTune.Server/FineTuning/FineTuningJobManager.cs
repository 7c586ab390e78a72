using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RagTune.Server.Common;

namespace RagTune.Server.FineTuning;

/// <summary>
/// Fine-tuning jobs: validated at creation, queued, and run one at a time as a <c>ragtune finetune</c> child process
/// (<see cref="WorkerProcess"/>), so a crash or an out-of-memory kill fails the job, not the server. State lives in
/// <c>DataDirectory/fine-tuning/&lt;job&gt;/</c>: <c>job.json</c> (written atomically at every change), <c>events.jsonl</c>,
/// and <c>output/</c> (the trainer's folder: metrics.jsonl, checkpoints, the model). Metrics are read from the
/// child's metrics.jsonl as it grows and become <c>metrics</c> events. After a restart, a job that was running
/// resumes from its newest checkpoint (<c>--resume</c>) or, without one, is marked failed; queued jobs run again.
/// A succeeded job's model is registered in <c>/v1/models</c> (also after a restart).
/// </summary>
public sealed class FineTuningJobManager : IHostedService
{
    readonly ServerOptions _options;
    readonly FileStore _files;
    readonly LocalModelHub _models;
    readonly ILogger<FineTuningJobManager> _log;
    readonly string _root;
    readonly ConcurrentDictionary<string, FineTuningJob> _jobs = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, List<FineTuningJobEvent>> _events = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, CancellationTokenSource> _cancels = new(StringComparer.Ordinal);
    readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    readonly CancellationTokenSource _stopping = new();
    readonly Lock _stateLock = new();
    Task _loop = Task.CompletedTask;

    /// <summary>A manager over <c>DataDirectory/fine-tuning</c>.</summary>
    public FineTuningJobManager(ServerOptions options, FileStore files, LocalModelHub models, ILogger<FineTuningJobManager> log)
    {
        (_options, _files, _models, _log) = (options, files, models, log);
        _root = Path.Combine(Path.GetFullPath(options.DataDirectory), "fine-tuning");
        Directory.CreateDirectory(_root);
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Recover();
        _loop = Task.Run(RunLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A running child is killed; its job stays "running" on disk, so the next start resumes or fails it.
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, cancellationToken));
    }

    /// <summary>Validates the request and queues the job.</summary>
    public FineTuningJob Create(string? model, string? trainingFile, string? validationFile, FineTuningHyperparameters? hyperparameters, string? suffix, int? seed)
    {
        _models.Folder(model);
        if (string.IsNullOrEmpty(trainingFile)) throw ApiError.BadRequest("'training_file' is required.", "training_file");
        _files.Get(trainingFile, "training_file");
        if (validationFile is not null) _files.Get(validationFile, "validation_file");
        hyperparameters ??= new FineTuningHyperparameters();
        hyperparameters.Validate();
        if (suffix is not null && (!SafeNames.IsValidName(suffix) || suffix.Length > 40))
            throw ApiError.BadRequest("'suffix' must be up to 40 letters, digits, '.', '_' or '-'.", "suffix");
        var job = new FineTuningJob
        {
            Id = "ftjob-" + Guid.NewGuid().ToString("N")[..24], Model = model!, TrainingFile = trainingFile, ValidationFile = validationFile,
            Hyperparameters = hyperparameters, Suffix = suffix, Seed = seed ?? hyperparameters.Seed ?? 42,
            CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Task = FileStore.Task(_files.ContentPath(trainingFile)),
        };
        Directory.CreateDirectory(JobFolder(job.Id));
        Save(job);
        AddEvent(job.Id, "info", $"Validating training file: {trainingFile}");
        Save(job with { Status = "queued" });
        AddEvent(job.Id, "info", "Files validated, moving job to queued state");
        _queue.Writer.TryWrite(job.Id);
        return _jobs[job.Id];
    }

    /// <summary>Jobs, newest first, after the id <paramref name="after"/> (OpenAI's cursor), at most <paramref name="limit"/>.</summary>
    public (IReadOnlyList<FineTuningJob> Page, bool HasMore) List(string? after, int limit)
    {
        var all = _jobs.Values.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id, StringComparer.Ordinal).ToList();
        var start = after is null ? 0 : all.FindIndex(j => j.Id == after) + 1;
        var page = all.Skip(start).Take(limit).ToList();
        return (page, start + page.Count < all.Count);
    }

    /// <summary>The job <paramref name="id"/>, or a 404.</summary>
    public FineTuningJob Get(string? id) =>
        id is not null && _jobs.TryGetValue(id, out var job) ? job : throw ApiError.NotFound($"No fine-tuning job '{id}'.", "fine_tuning_job_id", "fine_tuning_job_not_found");

    /// <summary>Cancels a queued or running job (its child process is killed); 409 for a finished one.</summary>
    public FineTuningJob Cancel(string? id)
    {
        var job = Get(id);
        lock (_stateLock)
        {
            job = _jobs[job.Id];
            if (job.IsFinished) throw ApiError.Conflict($"The job '{id}' is already {job.Status}.", "fine_tuning_job_id", "job_finished");
            if (_cancels.TryGetValue(job.Id, out var cts)) cts.Cancel();
            Save(job with { Status = "cancelled", FinishedAt = Now() });
        }
        AddEvent(job.Id, "info", "Job cancelled");
        return _jobs[job.Id];
    }

    /// <summary>Events, newest first (OpenAI's order), after the id <paramref name="after"/>.</summary>
    public (IReadOnlyList<FineTuningJobEvent> Page, bool HasMore) Events(string? id, string? after, int limit)
    {
        var job = Get(id);
        var events = _events.GetOrAdd(job.Id, _ => []);
        List<FineTuningJobEvent> all;
        lock (events) all = Enumerable.Reverse(events).ToList();
        var start = after is null ? 0 : all.FindIndex(e => e.Id == after) + 1;
        var page = all.Skip(start).Take(limit).ToList();
        return (page, start + page.Count < all.Count);
    }

    /// <summary>The job's checkpoints (<c>output/checkpoints/step-N</c>), newest first.</summary>
    public IReadOnlyList<object> Checkpoints(string? id)
    {
        var job = Get(id);
        var dir = Path.Combine(JobFolder(job.Id), "output", "checkpoints");
        if (!Directory.Exists(dir)) return [];
        var metrics = ReadMetrics(job.Id, 0).Metrics;
        return Directory.GetDirectories(dir, "step-*").Where(d => !d.Contains(".tmp", StringComparison.Ordinal))
            .Select(d => (Dir: d, Step: int.Parse(Path.GetFileName(d)[5..], CultureInfo.InvariantCulture))).OrderByDescending(c => c.Step)
            .Select(c => (object)new
            {
                id = $"ftckpt-{job.Id[6..]}-{c.Step}", @object = "fine_tuning.job.checkpoint",
                created_at = new DateTimeOffset(Directory.GetLastWriteTimeUtc(c.Dir)).ToUnixTimeSeconds(),
                fine_tuned_model_checkpoint = $"{ModelId(job)}:ckpt-step-{c.Step}", step_number = c.Step, fine_tuning_job_id = job.Id,
                metrics = metrics.LastOrDefault(m => m.Step <= c.Step && m.TrainLoss is not null),
            }).ToList();
    }

    async Task RunLoopAsync()
    {
        await foreach (var id in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            if (_stopping.IsCancellationRequested) return;
            if (!_jobs.TryGetValue(id, out var job) || job.IsFinished) continue;
            try { await RunAsync(job); }
            catch (Exception e)
            {
                _log.LogError(e, "Fine-tuning job {Id} failed in the server", id);
                Finish(id, "failed", new FineTuningError("server_error", e.Message));
            }
        }
    }

    async Task RunAsync(FineTuningJob job)
    {
        var folder = JobFolder(job.Id);
        var output = Path.Combine(folder, "output");
        var resume = HasCheckpoint(job.Id);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        lock (_stateLock)
        {
            if (_jobs[job.Id].IsFinished) return;
            _cancels[job.Id] = cts;
            job = _jobs[job.Id] with { Status = "running", StartedAt = Now() };
            Save(job);
        }
        AddEvent(job.Id, "info", resume ? "Fine-tuning job resumed from its newest checkpoint" : "Fine-tuning job started");
        var info = WorkerCommand.StartInfo(_options, Arguments(job, output, resume), folder);
        using var worker = WorkerProcess.Start(info, (isError, line) => OnLine(job.Id, isError, line));
        _log.LogInformation("Fine-tuning job {Id} runs as process {Pid}", job.Id, worker.Id);
        var metricsPosition = 0L;
        var exitTask = worker.WaitAsync(cts.Token);
        while (await Task.WhenAny(exitTask, Task.Delay(300, CancellationToken.None)) != exitTask) metricsPosition = PollMetrics(job.Id, metricsPosition);
        var exitCode = await exitTask;
        PollMetrics(job.Id, metricsPosition);
        _cancels.TryRemove(job.Id, out _);
        if (_stopping.IsCancellationRequested) return; // left "running": the next start resumes or fails it
        if (_jobs[job.Id].Status == "cancelled") return;
        if (exitCode == 0 && File.Exists(Path.Combine(output, "config.json")))
        {
            var modelId = ModelId(job);
            _models.Register(modelId, output, "ragtune");
            Finish(job.Id, "succeeded", null, modelId);
            AddEvent(job.Id, "info", $"New fine-tuned model created: {modelId}");
            AddEvent(job.Id, "info", "The job has successfully completed");
            return;
        }
        var reason = exitCode == 0 ? "training ended without writing a model (config.json missing in the output)" : worker.FailureReason(exitCode);
        Finish(job.Id, "failed", new FineTuningError(exitCode is 137 or 134 or 139 ? "training_crashed" : "training_failed", reason));
        AddEvent(job.Id, "error", $"The job failed: {reason}");
    }

    IEnumerable<string> Arguments(FineTuningJob job, string output, bool resume)
    {
        var h = job.Hyperparameters;
        var lora = h.Method != "full";
        var rank = h.LoraRank ?? 8;
        var args = new List<string>
        {
            "finetune", "--model", _models.Folder(job.Model), "--data", _files.ContentPath(job.TrainingFile), "--task", job.Task,
            "--method", lora ? "lora" : "full", "--out", output, "--seed", job.Seed.ToString(CultureInfo.InvariantCulture), "--log-every", "1",
            "--epochs", (h.NEpochs ?? 1).ToString(CultureInfo.InvariantCulture), "--batch-size", (h.BatchSize ?? 8).ToString(CultureInfo.InvariantCulture),
            "--lr", ((lora ? 2e-4 : 2e-5) * (h.LearningRateMultiplier ?? 1)).ToString("R", CultureInfo.InvariantCulture),
        };
        if (job.ValidationFile is not null) args.AddRange(["--eval", _files.ContentPath(job.ValidationFile)]);
        if (h.MaxSteps is { } steps) args.AddRange(["--max-steps", steps.ToString(CultureInfo.InvariantCulture)]);
        if (h.SaveEvery is { } every) args.AddRange(["--save-every", every.ToString(CultureInfo.InvariantCulture)]);
        if (h.MaxSeqLen is { } len) args.AddRange(["--max-seq-len", len.ToString(CultureInfo.InvariantCulture)]);
        if (lora)
        {
            args.AddRange(["--lora-r", rank.ToString(CultureInfo.InvariantCulture), "--lora-alpha", (h.LoraAlpha ?? 2.0 * rank).ToString("R", CultureInfo.InvariantCulture), "--merge"]);
            if (h.TargetModules is { Count: > 0 } targets) args.AddRange(["--target", string.Join(',', targets)]);
        }
        if (resume) args.Add("--resume");
        return args;
    }

    void OnLine(string id, bool isError, string line)
    {
        var text = line.Trim();
        // Step lines repeat what metrics.jsonl holds; the file is the source of metrics events.
        if (text.Length == 0 || text.StartsWith("step ", StringComparison.Ordinal)) return;
        AddEvent(id, isError && text.StartsWith("error", StringComparison.OrdinalIgnoreCase) ? "error" : "info", text.Length > 500 ? text[..500] + "…" : text);
    }

    long PollMetrics(string id, long position)
    {
        var (metrics, next) = ReadMetrics(id, position);
        foreach (var m in metrics)
        {
            var message = m.TrainLoss is { } loss
                ? string.Create(CultureInfo.InvariantCulture, $"Step {m.Step}: training loss={loss:F4}, {m.TokensPerSecond:F0} tokens/s")
                : string.Create(CultureInfo.InvariantCulture, $"Step {m.Step}: validation loss={m.ValidLoss:F4}");
            AddEvent(id, "info", message, "metrics", m);
            lock (_stateLock) if (_jobs.TryGetValue(id, out var job) && m.TrainLoss is not null) _jobs[id] = job with { LatestMetrics = m };
        }
        return next;
    }

    /// <summary>Complete lines of metrics.jsonl from byte <paramref name="position"/>, and the position after them.</summary>
    (List<FineTuningMetrics> Metrics, long Next) ReadMetrics(string id, long position)
    {
        var path = Path.Combine(JobFolder(id), "output", "metrics.jsonl");
        var result = new List<FineTuningMetrics>();
        if (!File.Exists(path)) return (result, position);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length < position) position = 0; // rewritten (a resume trims it): read again from the start
        stream.Position = position;
        var bytes = new byte[stream.Length - position];
        stream.ReadExactly(bytes);
        var end = Array.LastIndexOf(bytes, (byte)'\n');
        if (end < 0) return (result, position);
        foreach (var line in System.Text.Encoding.UTF8.GetString(bytes, 0, end).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                double? Get(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
                result.Add(new FineTuningMetrics(r.GetProperty("step").GetInt32(), Get("loss"), Get("eval_loss"), Get("tokens_per_s"), Get("lr")));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { } // a foreign line: not a metric
        }
        return (result, position + end + 1);
    }

    void Recover()
    {
        foreach (var dir in Directory.EnumerateDirectories(_root).Order(StringComparer.Ordinal))
        {
            var job = AtomicFile.ReadJson<FineTuningJob>(Path.Combine(dir, "job.json"));
            if (job is null || Path.GetFileName(dir) != job.Id) continue;
            _jobs[job.Id] = job;
            _events[job.Id] = LoadEvents(dir);
            switch (job.Status)
            {
                case "succeeded" when job.FineTunedModel is not null && File.Exists(Path.Combine(dir, "output", "config.json")):
                    _models.Register(job.FineTunedModel, Path.Combine(dir, "output"), "ragtune");
                    break;
                case "running" when HasCheckpoint(job.Id):
                    Save(job with { Status = "queued" });
                    AddEvent(job.Id, "warn", "The server restarted while the job was running; it resumes from its newest checkpoint");
                    _queue.Writer.TryWrite(job.Id);
                    break;
                case "running":
                    Finish(job.Id, "failed", new FineTuningError("server_restarted", "The server stopped while the job was running and the job had no checkpoint to resume from. HINT: create the job again (hyperparameters.save_every makes jobs resumable)."));
                    AddEvent(job.Id, "error", "The job failed: the server restarted while it was running (no checkpoint to resume from)");
                    break;
                case "queued" or "validating_files":
                    Save(job with { Status = "queued" });
                    _queue.Writer.TryWrite(job.Id);
                    break;
            }
        }
    }

    static List<FineTuningJobEvent> LoadEvents(string dir)
    {
        var path = Path.Combine(dir, "events.jsonl");
        if (!File.Exists(path)) return [];
        var events = new List<FineTuningJobEvent>();
        foreach (var line in File.ReadLines(path))
        {
            try { if (JsonSerializer.Deserialize<FineTuningJobEvent>(line, ApiJson.Options) is { } e) events.Add(e); }
            catch (JsonException) { } // a line torn by a crash mid-append
        }
        return events;
    }

    void AddEvent(string id, string level, string message, string type = "message", FineTuningMetrics? data = null)
    {
        var events = _events.GetOrAdd(id, _ => []);
        lock (events)
        {
            var e = new FineTuningJobEvent($"ftevent-{id[6..]}-{events.Count + 1}", Now(), level, message, type, data);
            events.Add(e);
            File.AppendAllText(Path.Combine(JobFolder(id), "events.jsonl"), JsonSerializer.Serialize(e, ApiJson.Options) + "\n");
        }
    }

    void Finish(string id, string status, FineTuningError? error, string? model = null)
    {
        lock (_stateLock) Save(_jobs[id] with { Status = status, Error = error, FineTunedModel = model, FinishedAt = Now() });
    }

    void Save(FineTuningJob job)
    {
        lock (_stateLock)
        {
            AtomicFile.WriteJson(Path.Combine(JobFolder(job.Id), "job.json"), job);
            _jobs[job.Id] = job;
        }
    }

    bool HasCheckpoint(string id) =>
        Directory.Exists(Path.Combine(JobFolder(id), "output", "checkpoints")) &&
        Directory.GetDirectories(Path.Combine(JobFolder(id), "output", "checkpoints"), "step-*").Any(d => !d.Contains(".tmp", StringComparison.Ordinal));

    static string ModelId(FineTuningJob job) => $"ft:{job.Model}:{job.Suffix ?? "ragtune"}:{job.Id[6..14]}";

    string JobFolder(string id) => SafeNames.Inside(_root, id);

    static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
