using System.Collections.Concurrent;
using RagTune.Models.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Generation;

/// <summary>
/// Continuous batching over one <see cref="ICausalLanguageModel"/> (as vLLM and llama-server schedule): concurrent
/// requests share decode steps — every step feeds one token per occupied row, so the weights are streamed from memory
/// once for all rows. A request joins between two steps (its prompt is prefilled alone, then its keys/values are placed
/// into the shared cache) and leaves as soon as it finishes, is cancelled or passes its timeout, freeing its row for the
/// next in the queue.
/// <para>
/// The shared cache keeps all rows right-aligned at one write column: a row's tokens occupy [Start, column) and the
/// attention mask hides everything before Start (earlier occupants' leftovers). Positions are passed explicitly
/// (column − Start), so a row computes exactly what it would alone. When the column reaches the capacity, all rows
/// shift left by the smallest Start.
/// </para>
/// One background thread runs the steps; <see cref="Submit"/> is thread-safe.
/// </summary>
public sealed class ContinuousBatcher : IDisposable
{
    readonly ICausalLanguageModel _model;
    readonly ITokenizer? _tokenizer;
    readonly ContinuousBatcherOptions _options;
    readonly int _capacity;
    readonly ConcurrentQueue<BatchedGeneration> _pending = new();
    readonly SemaphoreSlim _wake = new(0);
    readonly CancellationTokenSource _stop = new();
    readonly List<BatchRow> _rows = [];
    readonly Thread _thread;
    KvCache? _cache;
    int _column; // the next write position of every row
    int _queued;
    int _inFlight;
    long _cancelled;
    int _active;

    /// <param name="model">The decoder; the batcher must be its only user while it runs.</param>
    /// <param name="tokenizer">For decoded text and stop strings; optional for id-only use.</param>
    /// <param name="options">Batch size, queue and context limits.</param>
    public ContinuousBatcher(ICausalLanguageModel model, ITokenizer? tokenizer = null, ContinuousBatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _tokenizer = tokenizer;
        _options = (options ?? new()).Validate();
        var context = model.Config.MaxPositionEmbeddings;
        _capacity = _options.ContextLength ?? (context > 0 ? Math.Min(context, 2048) : 2048);
        if (context > 0) _capacity = Math.Min(_capacity, context);
        _thread = new Thread(Loop) { IsBackground = true, Name = "ContinuousBatcher" };
        _thread.Start();
    }

    /// <summary>Rows being decoded now.</summary>
    public int ActiveRows => Volatile.Read(ref _active);

    /// <summary>Requests waiting for a row.</summary>
    public int QueuedRequests => Volatile.Read(ref _queued);

    /// <summary>Requests cancelled (client gone, timeout) before they finished, since the start.</summary>
    public long CancelledRequests => Interlocked.Read(ref _cancelled);

    /// <summary>Positions per row (prompt plus generated tokens).</summary>
    public int ContextLength => _capacity;

    /// <summary>The tokenizer given at construction, if any.</summary>
    public ITokenizer? Tokenizer => _tokenizer;

    /// <summary>The model the batcher decodes with.</summary>
    public ICausalLanguageModel Model => _model;

    /// <summary>
    /// Queues a request; its updates stream from the returned handle. Throws <see cref="BatcherQueueFullException"/>
    /// when the queue is full and <see cref="ArgumentException"/> when the prompt does not fit the context.
    /// Cancelling <paramref name="cancellationToken"/>, or the request's timeout passing, frees the row before the next step.
    /// </summary>
    public BatchedGeneration Submit(BatchedGenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        if (request.PromptIds is null || request.PromptIds.Count == 0) throw new ArgumentException("The prompt must not be empty.", nameof(request));
        request.Options.Validate();
        if (request.Options.StopStrings is { Count: > 0 } && _tokenizer is null)
            throw new ArgumentException("Stop strings need a tokenizer.", nameof(request));
        if (request.PromptIds.Count >= _capacity)
            throw new ArgumentException($"The prompt has {request.PromptIds.Count} tokens; the context is {_capacity}. HINT: shorten the prompt.", nameof(request));
        if (request.TopLogprobs is < 0) throw new ArgumentOutOfRangeException(nameof(request), "TopLogprobs must not be negative.");
        if (request.Timeout is { } timeout && timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(request), "Timeout must be positive.");
        var vocab = _model.Config.VocabSize;
        foreach (var id in request.PromptIds)
            if (id < 0 || id >= vocab) throw new ArgumentException($"Token id {id} is outside the vocabulary [0, {vocab}).", nameof(request));

        // Running rows plus waiting requests: counted from submit to completion, so the bound holds however far the loop got.
        if (Interlocked.Increment(ref _inFlight) > _options.QueueLimit + _options.MaxBatch)
        {
            Interlocked.Decrement(ref _inFlight);
            throw new BatcherQueueFullException(_options.QueueLimit);
        }
        Interlocked.Increment(ref _queued);
        var generation = new BatchedGeneration(request);
        if (cancellationToken.CanBeCanceled)
            cancellationToken.Register(static (state, _) => ((BatchedGeneration)state!).Cancel(), generation);
        _pending.Enqueue(generation);
        _wake.Release();
        return generation;
    }

    void Loop()
    {
        // The loop owns the model: inference mode (thread-local) for its whole life.
        using var _ = inference_mode();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Admit();
                DropEnded();
                if (_rows.Count == 0)
                {
                    _column = 0;
                    try { _wake.Wait(_stop.Token); } catch (OperationCanceledException) { break; }
                    continue;
                }
                try
                {
                    Step();
                }
                catch (Exception e)
                {
                    // A failed step fails its rows, not the server: every current row ends with the error.
                    foreach (var row in _rows) End(row, e);
                    _rows.Clear();
                }
                Volatile.Write(ref _active, _rows.Count);
            }
        }
        finally
        {
            foreach (var row in _rows) End(row, new ObjectDisposedException(nameof(ContinuousBatcher)));
            _rows.Clear();
            while (_pending.TryDequeue(out var g)) Complete(g, new ObjectDisposedException(nameof(ContinuousBatcher)));
            _cache?.Dispose();
        }
    }

    void Admit()
    {
        while (_rows.Count < _options.MaxBatch && _pending.TryDequeue(out var generation))
        {
            Interlocked.Decrement(ref _queued);
            if (generation.Ended() is { } ended) { Complete(generation, ended); continue; }
            try
            {
                Prefill(generation);
            }
            catch (Exception e)
            {
                Complete(generation, e);
            }
            Volatile.Write(ref _active, _rows.Count);
        }
    }

    /// <summary>Frees the rows of cancelled requests and of those past their timeout (checked here, on the loop, before every step).</summary>
    void DropEnded()
    {
        for (var i = _rows.Count - 1; i >= 0; i--)
            if (_rows[i].Generation.Ended() is { } ended) Remove(i, ended);
    }

    /// <summary>Runs the prompt alone, samples its first token, and moves its keys/values into a free row of the shared cache.</summary>
    void Prefill(BatchedGeneration generation)
    {
        var request = generation.Request;
        var prompt = request.PromptIds;
        var length = prompt.Count;
        var maxNew = Math.Min(request.Options.MaxNewTokens, _capacity - length);
        var text = _tokenizer is null ? null : new StreamingText(_tokenizer, request.Options.StopStrings ?? []);
        var row = new BatchRow(generation, new TokenSampler(request.Options), text, StopTokenIds(request.Options), maxNew);
        try
        {
            _cache ??= _model.CreateCache(_options.MaxBatch, _capacity);
            GenerationUpdate first;
            using (NewDisposeScope())
            {
                var ids = tensor(prompt.Select(i => (long)i).ToArray(), [1, length]);
                var mask = ones([1, length], ScalarType.Int64);
                var positions = arange(length, ScalarType.Int64).reshape(1, length);
                using var own = _model.CreateCache(1, length);
                // Logits of every position only when the prompt's logprobs are asked for; else the last one's.
                var wanted = request.PromptLogprobs && length > 1;
                var logits = (wanted ? _model.Forward(ids, mask, positions, own) : _model.ForwardLastPosition(ids, mask, positions, own))
                    .select(0, 0).to_type(ScalarType.Float32); // (T or 1, V)
                if (wanted)
                {
                    var logprobs = logits.narrow(0, 0, length - 1).log_softmax(-1);
                    generation.PromptLogprobs = [.. Enumerable.Range(1, length - 1).Select(t => Logprobs(logprobs[t - 1], prompt[t], request.TopLogprobs ?? 0))];
                }
                var last = logits[-1].unsqueeze(0); // (1, V)
                var next = (int)row.Sampler.Next(last, Seen(row)).item<long>();
                first = row.Accept(next, request.TopLogprobs is { } k ? Logprobs(last[0].log_softmax(-1), next, k) : null);
                Place(own, length);
            }
            row.Start = _column - length;
            generation.MarkAdmitted();
            if (row.Finish is not null) { generation.Publish(first); End(row, null); return; }
            _rows.Add(row);
            // Counted before its first token is out, so a client that sees the token also sees the row in ActiveRows.
            Volatile.Write(ref _active, _rows.Count);
            generation.Publish(first);
        }
        catch
        {
            row.Dispose();
            throw;
        }
    }

    /// <summary>Copies a prefilled single-row cache into the next free row, right-aligned at the write column.</summary>
    void Place(KvCache own, int length)
    {
        if (length > _column)
        {
            // The newcomer is longer than everything cached: shift the current rows right to make room.
            var shift = length - _column;
            if (_rows.Count > 0)
                for (var layer = 0; layer < _cache!.NumLayers; layer++)
                    foreach (var buffer in new[] { _cache.KeyBuffer(layer), _cache.ValueBuffer(layer) })
                    {
                        var rows = buffer.narrow(0, 0, _rows.Count);
                        var moved = rows.narrow(2, 0, _column).clone(); // overlapping ranges: copy through a temporary
                        rows.narrow(2, shift, _column).copy_(moved);
                    }
            foreach (var r in _rows) r.Start += shift;
            _column = length;
        }
        var slot = _rows.Count;
        for (var layer = 0; layer < _cache!.NumLayers; layer++)
        {
            _cache.KeyBuffer(layer)[slot].narrow(1, _column - length, length).copy_(own.KeyBuffer(layer)[0].narrow(1, 0, length));
            _cache.ValueBuffer(layer)[slot].narrow(1, _column - length, length).copy_(own.ValueBuffer(layer)[0].narrow(1, 0, length));
        }
    }

    /// <summary>One decode step for every occupied row.</summary>
    void Step()
    {
        if (_column + 1 > _capacity) Compact();
        var n = _rows.Count;
        var width = _column + 1;
        var ids = new long[n];
        var mask = new long[n * width];
        var positions = new long[n];
        for (var b = 0; b < n; b++)
        {
            var row = _rows[b];
            ids[b] = row.Next;
            positions[b] = _column - row.Start;
            Array.Fill(mask, 1L, b * width + row.Start, width - row.Start);
        }
        var updates = new GenerationUpdate[n];
        using (NewDisposeScope())
        {
            var view = _cache!.RowsView(n, _column);
            var logits = _model.Forward(tensor(ids, [n, 1]), tensor(mask, [n, width]), tensor(positions, [n, 1]), view)
                .select(1, 0).to_type(ScalarType.Float32); // (n, V)
            for (var b = 0; b < n; b++)
            {
                var row = _rows[b];
                var last = logits.narrow(0, b, 1);
                var next = (int)row.Sampler.Next(last, Seen(row)).item<long>();
                updates[b] = row.Accept(next, row.Generation.Request.TopLogprobs is { } k ? Logprobs(last[0].log_softmax(-1), next, k) : null);
            }
        }
        _column++;
        for (var b = 0; b < n; b++) _rows[b].Generation.Publish(updates[b]);
        for (var b = n - 1; b >= 0; b--)
            if (_rows[b].Finish is not null) Remove(b, null);
    }

    /// <summary>Shifts every row left by the smallest Start so the write column fits the capacity again.</summary>
    void Compact()
    {
        var shift = _rows.Min(r => r.Start);
        if (shift == 0) throw new InvalidOperationException("A row outgrew the batch cache (internal error).");
        var n = _rows.Count;
        var keep = _column - shift;
        using (NewDisposeScope())
            for (var layer = 0; layer < _cache!.NumLayers; layer++)
                foreach (var buffer in new[] { _cache.KeyBuffer(layer), _cache.ValueBuffer(layer) })
                {
                    var rows = buffer.narrow(0, 0, n);
                    var moved = rows.narrow(2, shift, keep).clone();
                    rows.narrow(2, 0, keep).copy_(moved);
                }
        foreach (var r in _rows) r.Start -= shift;
        _column = keep;
    }

    /// <summary>Takes row <paramref name="index"/> out; the last row moves into its slot so the occupied rows stay packed.</summary>
    void Remove(int index, Exception? error)
    {
        var row = _rows[index];
        var last = _rows.Count - 1;
        if (index != last)
        {
            using (NewDisposeScope())
                for (var layer = 0; layer < _cache!.NumLayers; layer++)
                {
                    _cache.KeyBuffer(layer)[index].narrow(1, 0, _column).copy_(_cache.KeyBuffer(layer)[last].narrow(1, 0, _column));
                    _cache.ValueBuffer(layer)[index].narrow(1, 0, _column).copy_(_cache.ValueBuffer(layer)[last].narrow(1, 0, _column));
                }
            _rows[index] = _rows[last];
        }
        _rows.RemoveAt(last);
        End(row, error);
        Volatile.Write(ref _active, _rows.Count);
    }

    void End(BatchRow row, Exception? error)
    {
        Complete(row.Generation, error);
        row.Dispose();
    }

    void Complete(BatchedGeneration generation, Exception? error)
    {
        if (error is OperationCanceledException) Interlocked.Increment(ref _cancelled);
        generation.Complete(error);
        Interlocked.Decrement(ref _inFlight);
    }

    static Tensor? Seen(BatchRow row) =>
        row.Options.RepetitionPenalty == 1f ? null : tensor(row.Tokens.Select(i => (long)i).ToArray(), [1, row.Tokens.Count]);

    static TokenLogprobs Logprobs(Tensor logprobs, int id, int top)
    {
        var chosen = logprobs[id].item<float>();
        if (top == 0) return new TokenLogprobs(id, chosen, []);
        var (values, indices) = logprobs.topk(Math.Min(top, (int)logprobs.shape[0]));
        var v = values.data<float>().ToArray();
        var ix = indices.data<long>().ToArray();
        return new TokenLogprobs(id, chosen, [.. v.Select((p, i) => ((int)ix[i], p))]);
    }

    HashSet<int> StopTokenIds(GenerationOptions options)
    {
        if (options.StopTokenIds is { } explicitIds) return [.. explicitIds];
        var ids = new HashSet<int>(_model.Config.EosTokenIds);
        if (_tokenizer?.EosTokenId is { } eos) ids.Add(eos);
        return ids;
    }

    /// <summary>Stops the loop; running and queued requests end with <see cref="ObjectDisposedException"/>. Does not dispose the model.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        _wake.Dispose();
    }
}
