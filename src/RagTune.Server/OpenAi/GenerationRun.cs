using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using RagTune.Models.Generation;
using RagTune.Server.Operations;

namespace RagTune.Server.OpenAi;

/// <summary>
/// One generation of an API request on a model's batcher: submits it (429 when the queue is full), cancels it when the
/// client disconnects or the request times out (which frees its row), and measures what the response reports
/// (usage, llama-server-style <c>timings</c>) and what <c>/metrics</c> counts.
/// </summary>
internal sealed class GenerationRun : IDisposable
{
    readonly CancellationTokenSource _cancel;
    readonly ServerMetrics _metrics;
    readonly long _started = Stopwatch.GetTimestamp();
    long _firstToken, _lastToken;

    GenerationRun(BatchedGeneration generation, CancellationTokenSource cancel, ServerMetrics metrics)
    {
        (Generation, _cancel, _metrics) = (generation, cancel, metrics);
    }

    /// <summary>The batcher's handle.</summary>
    public BatchedGeneration Generation { get; }

    /// <summary>Generated tokens so far (a final stop token is not counted, as OpenAI does not count it).</summary>
    public int CompletionTokens { get; private set; }

    /// <summary>True when the request's own timeout (not the client) ended it.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>Submits <paramref name="request"/> to <paramref name="model"/>'s batcher.</summary>
    public static GenerationRun Start(LoadedModel model, BatchedGenerationRequest request, CancellationToken requestAborted,
        ServerOptions options, ServerMetrics metrics)
    {
        var batcher = model.Batcher ?? throw new OpenAiException(400,
            $"The model '{model.Id}' is an embedding model. HINT: use it with /v1/embeddings.", param: "model", code: "model_not_supported");
        // The timeout is enforced twice on purpose: the batcher checks it on its own loop before every step (a timer
        // callback runs late when the thread pool is saturated, and the generation could finish first), and the timer
        // also ends the wait of a client whose request has not reached a row yet.
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        cancel.CancelAfter(options.RequestTimeout);
        try
        {
            var generation = batcher.Submit(request with { Timeout = options.RequestTimeout }, cancel.Token);
            metrics.PromptTokens(request.PromptIds.Count);
            return new GenerationRun(generation, cancel, metrics);
        }
        catch (BatcherQueueFullException e)
        {
            cancel.Dispose();
            throw new OpenAiException(429, e.Message, "rate_limit_error", code: "queue_full") { RetryAfterSeconds = 1 };
        }
        catch (ArgumentException e)
        {
            cancel.Dispose();
            throw new OpenAiException(400, e.Message.Split(" (Parameter")[0], code: "invalid_prompt");
        }
    }

    /// <summary>The updates; ends with <see cref="OperationCanceledException"/> on disconnect or timeout.</summary>
    public async IAsyncEnumerable<GenerationUpdate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var enumerator = Generation.ReadUpdatesAsync(_cancel.Token).GetAsyncEnumerator(_cancel.Token);
        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync()) yield break;
                }
                catch (OperationCanceledException e) when (e is GenerationTimeoutException
                    || (_cancel.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
                {
                    TimedOut = true;
                    throw;
                }
                var update = enumerator.Current;
                var now = Stopwatch.GetTimestamp();
                if (_firstToken == 0)
                {
                    _firstToken = now;
                    _metrics.TimeToFirstToken(Stopwatch.GetElapsedTime(_started, now));
                }
                _lastToken = now;
                if (update.FinishReason != GenerationFinishReason.StopToken)
                {
                    CompletionTokens++;
                    _metrics.GeneratedTokens(1);
                }
                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }

    /// <summary>OpenAI's <c>usage</c>.</summary>
    public JsonObject Usage() => new()
    {
        ["prompt_tokens"] = Generation.PromptTokenCount,
        ["completion_tokens"] = CompletionTokens,
        ["total_tokens"] = Generation.PromptTokenCount + CompletionTokens,
    };

    /// <summary>llama-server's <c>timings</c>: prompt = request to first token (queue and prefill), predicted = the rest.</summary>
    public JsonObject Timings()
    {
        var promptMs = _firstToken == 0 ? 0 : Stopwatch.GetElapsedTime(_started, _firstToken).TotalMilliseconds;
        var predictedMs = _firstToken == 0 ? 0 : Stopwatch.GetElapsedTime(_firstToken, _lastToken).TotalMilliseconds;
        return new JsonObject
        {
            ["prompt_n"] = Generation.PromptTokenCount,
            ["prompt_ms"] = Math.Round(promptMs, 3),
            ["prompt_per_second"] = promptMs > 0 ? Math.Round(Generation.PromptTokenCount * 1000 / promptMs, 3) : 0,
            ["predicted_n"] = CompletionTokens,
            ["predicted_ms"] = Math.Round(predictedMs, 3),
            ["predicted_per_second"] = predictedMs > 0 && CompletionTokens > 1 ? Math.Round((CompletionTokens - 1) * 1000 / predictedMs, 3) : 0,
        };
    }

    /// <summary>400/408 for a run that ended early, for answers not yet started.</summary>
    public OpenAiException TimeoutError() =>
        new(408, "The request took longer than the server's request timeout and was cancelled.", "server_error", code: "timeout");

    public void Dispose()
    {
        Generation.Cancel();
        _cancel.Dispose();
    }
}
