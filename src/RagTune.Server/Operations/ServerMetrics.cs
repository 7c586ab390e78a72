using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace RagTune.Server.Operations;

/// <summary>
/// The server's counters, rendered in the Prometheus text format at <c>/metrics</c> (names as llama-server and vLLM
/// expose them, under <c>ragtune_</c>): requests by endpoint and status, prompt and generated tokens, recent tokens/s,
/// and a time-to-first-token histogram. Queue depth and active slots are read from the batchers when scraped.
/// </summary>
public sealed class ServerMetrics
{
    static readonly double[] TtftBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    readonly ConcurrentDictionary<(string Endpoint, int Status), long> _requests = new();
    readonly long[] _ttftCounts = new long[TtftBuckets.Length + 1];
    readonly Lock _ttftLock = new();
    readonly ConcurrentQueue<(long Ticks, int Tokens)> _recentTokens = new();
    readonly TimeProvider _time;
    double _ttftSum;
    long _ttftCount, _promptTokens, _generatedTokens;

    /// <summary>Counters starting at zero; <paramref name="time"/> for the tokens/s window (tests pass their own).</summary>
    public ServerMetrics(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Window of <see cref="TokensPerSecond"/>.</summary>
    public static TimeSpan RateWindow { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Counts a finished request.</summary>
    public void RequestFinished(string endpoint, int status) => _requests.AddOrUpdate((endpoint, status), 1, (_, n) => n + 1);

    /// <summary>Counts prompt tokens of a request that was admitted.</summary>
    public void PromptTokens(int count) => Interlocked.Add(ref _promptTokens, count);

    /// <summary>Counts generated tokens (and feeds the tokens/s window).</summary>
    public void GeneratedTokens(int count)
    {
        Interlocked.Add(ref _generatedTokens, count);
        _recentTokens.Enqueue((_time.GetTimestamp(), count));
    }

    /// <summary>Records a time to first token.</summary>
    public void TimeToFirstToken(TimeSpan ttft)
    {
        var seconds = ttft.TotalSeconds;
        var bucket = Array.FindIndex(TtftBuckets, b => seconds <= b);
        lock (_ttftLock)
        {
            _ttftCounts[bucket < 0 ? TtftBuckets.Length : bucket]++;
            _ttftSum += seconds;
            _ttftCount++;
        }
    }

    /// <summary>Generated tokens per second over the last <see cref="RateWindow"/>.</summary>
    public double TokensPerSecond()
    {
        var now = _time.GetTimestamp();
        while (_recentTokens.TryPeek(out var head) && _time.GetElapsedTime(head.Ticks, now) > RateWindow) _recentTokens.TryDequeue(out _);
        return _recentTokens.Sum(x => (long)x.Tokens) / RateWindow.TotalSeconds;
    }

    /// <summary>The Prometheus text exposition; <paramref name="slots"/> gives each loaded model's active rows and queue.</summary>
    public string Render(IEnumerable<(string Model, int ActiveSlots, int Queued, int MaxSlots)> slots)
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.AppendLine("# HELP ragtune_requests_total HTTP API requests finished, by endpoint and status.");
        s.AppendLine("# TYPE ragtune_requests_total counter");
        foreach (var ((endpoint, status), n) in _requests.OrderBy(x => x.Key.Endpoint).ThenBy(x => x.Key.Status))
            s.AppendLine(c, $"ragtune_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}");
        s.AppendLine("# HELP ragtune_prompt_tokens_total Prompt tokens processed.");
        s.AppendLine("# TYPE ragtune_prompt_tokens_total counter");
        s.AppendLine(c, $"ragtune_prompt_tokens_total {Interlocked.Read(ref _promptTokens)}");
        s.AppendLine("# HELP ragtune_generated_tokens_total Tokens generated.");
        s.AppendLine("# TYPE ragtune_generated_tokens_total counter");
        s.AppendLine(c, $"ragtune_generated_tokens_total {Interlocked.Read(ref _generatedTokens)}");
        s.AppendLine("# HELP ragtune_tokens_per_second Generated tokens per second over the last 10 s.");
        s.AppendLine("# TYPE ragtune_tokens_per_second gauge");
        s.AppendLine(c, $"ragtune_tokens_per_second {TokensPerSecond():0.###}");
        s.AppendLine("# HELP ragtune_active_slots Batch rows decoding now, per model.");
        s.AppendLine("# TYPE ragtune_active_slots gauge");
        var list = slots.ToList();
        foreach (var m in list) s.AppendLine(c, $"ragtune_active_slots{{model=\"{Escape(m.Model)}\"}} {m.ActiveSlots}");
        s.AppendLine("# HELP ragtune_slots Batch rows available, per model (--max-batch).");
        s.AppendLine("# TYPE ragtune_slots gauge");
        foreach (var m in list) s.AppendLine(c, $"ragtune_slots{{model=\"{Escape(m.Model)}\"}} {m.MaxSlots}");
        s.AppendLine("# HELP ragtune_queue_depth Requests waiting for a batch row, per model.");
        s.AppendLine("# TYPE ragtune_queue_depth gauge");
        foreach (var m in list) s.AppendLine(c, $"ragtune_queue_depth{{model=\"{Escape(m.Model)}\"}} {m.Queued}");
        s.AppendLine("# HELP ragtune_time_to_first_token_seconds Time from request to first generated token.");
        s.AppendLine("# TYPE ragtune_time_to_first_token_seconds histogram");
        lock (_ttftLock)
        {
            long cumulative = 0;
            for (var i = 0; i < TtftBuckets.Length; i++)
            {
                cumulative += _ttftCounts[i];
                s.AppendLine(c, $"ragtune_time_to_first_token_seconds_bucket{{le=\"{TtftBuckets[i]}\"}} {cumulative}");
            }
            s.AppendLine(c, $"ragtune_time_to_first_token_seconds_bucket{{le=\"+Inf\"}} {_ttftCount}");
            s.AppendLine(c, $"ragtune_time_to_first_token_seconds_sum {_ttftSum:0.######}");
            s.AppendLine(c, $"ragtune_time_to_first_token_seconds_count {_ttftCount}");
        }
        return s.ToString();
    }

    static string Escape(string label) => label.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
