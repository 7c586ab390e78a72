using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>
/// Keys and values of past positions for every decoder layer, preallocated to <see cref="MaxLength"/> so that a decode
/// step writes its new entries in place (a slice copy, no concatenation). Layout per layer: (B, n_kv_heads, max, head_dim).
/// A model's forward appends to every layer at position <see cref="Length"/> and then advances it by the step length.
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly Tensor[] keys;
    readonly Tensor[] values;

    /// <summary>Allocates the buffers (zeros).</summary>
    public KvCache(int numLayers, long batchSize, int numKeyValueHeads, int headDim, int maxLength, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numLayers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        NumLayers = numLayers;
        BatchSize = batchSize;
        MaxLength = maxLength;
        keys = new Tensor[numLayers];
        values = new Tensor[numLayers];
        for (var i = 0; i < numLayers; i++)
        {
            keys[i] = zeros([batchSize, numKeyValueHeads, maxLength, headDim], dtype).DetachFromDisposeScope();
            values[i] = zeros([batchSize, numKeyValueHeads, maxLength, headDim], dtype).DetachFromDisposeScope();
        }
    }

    KvCache(Tensor[] keys, Tensor[] values, int maxLength, int length)
    {
        (this.keys, this.values) = (keys, values);
        NumLayers = keys.Length;
        BatchSize = keys[0].shape[0];
        MaxLength = maxLength;
        Length = length;
    }

    /// <summary>
    /// A cache over the first <paramref name="rows"/> rows of this one's buffers (shared storage, same capacity) holding
    /// <paramref name="length"/> positions — how a continuous batch decodes only its occupied rows. Disposing the view
    /// leaves the buffers alive.
    /// </summary>
    internal KvCache RowsView(int rows, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, BatchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxLength);
        return new KvCache([.. keys.Select(k => k.narrow(0, 0, rows))], [.. values.Select(v => v.narrow(0, 0, rows))], MaxLength, length);
    }

    /// <summary>Number of layers.</summary>
    public int NumLayers { get; }

    /// <summary>Batch size the cache was made for.</summary>
    public long BatchSize { get; }

    /// <summary>Capacity in positions.</summary>
    public int MaxLength { get; }

    /// <summary>Number of positions stored (the next step writes at this index).</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Writes the step's keys/values (B, n_kv, T, hd) of <paramref name="layer"/> at [<see cref="Length"/>, Length+T) and
    /// returns views of all positions so far (B, n_kv, Length+T, hd). Does not advance <see cref="Length"/>.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        var t = (int)k.shape[2];
        if (Length + t > MaxLength)
            throw new InvalidOperationException($"KV cache is full: {Length} + {t} positions exceed its capacity of {MaxLength}. HINT: create the cache with a larger maxLength.");
        if (k.shape[0] != BatchSize)
            throw new ArgumentException($"KV cache was made for batch size {BatchSize}, got {k.shape[0]}.", nameof(k));
        // The buffers are not part of any autograd graph (no-grad copy also when the caller records gradients).
        using (is_grad_enabled() ? no_grad() : null)
        {
            keys[layer].narrow(2, Length, t).copy_(k);
            values[layer].narrow(2, Length, t).copy_(v);
        }
        return (keys[layer].narrow(2, 0, Length + t), values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>The whole key buffer (B, n_kv, max, hd) of <paramref name="layer"/>, for kernels that write in place.</summary>
    internal Tensor KeyBuffer(int layer) => keys[layer];

    /// <summary>The whole value buffer (B, n_kv, max, hd) of <paramref name="layer"/>.</summary>
    internal Tensor ValueBuffer(int layer) => values[layer];

    /// <summary>Marks <paramref name="count"/> more positions as stored (called by the model after all layers appended).</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (Length + count > MaxLength) throw new InvalidOperationException($"KV cache overflow: {Length} + {count} > {MaxLength}.");
        Length += count;
    }

    /// <summary>Forgets positions from <paramref name="length"/> on (e.g. to reuse a shared prompt prefix).</summary>
    public void Trim(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    /// <summary>Empties the cache (keeps the buffers).</summary>
    public void Reset() => Length = 0;

    /// <summary>
    /// Reorders the batch rows in place: row i becomes old row <paramref name="batchIndices"/>[i] (int64, length B) —
    /// for beam search.
    /// </summary>
    public void Reorder(Tensor batchIndices)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (var i = 0; i < NumLayers; i++)
        {
            keys[i].copy_(keys[i].index_select(0, batchIndices));
            values[i].copy_(values[i].index_select(0, batchIndices));
        }
    }

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }
}
