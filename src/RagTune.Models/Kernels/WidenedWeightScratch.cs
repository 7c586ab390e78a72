using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Kernels;

/// <summary>
/// One model's reusable fp32 buffer for widening bf16 / int8-block weights before a libtorch GEMM (prefill). Widening
/// into a fresh tensor per projection and call made every prefill allocate (and page-fault in) the model's weights in
/// fp32 again; reusing one buffer keeps it mapped and mostly in cache. Owned by the model it was made for (its
/// projections share it; two models never do). Callers on different threads are safe: one renter at a time, and a
/// caller that finds it rented widens into a temporary of its own instead of waiting.
/// </summary>
public sealed class WidenedWeightScratch : IDisposable
{
    /// <summary>Default <see cref="MaxElements"/>: 16 Mi floats (64 MiB), more than any projection but the LM head of a small model.</summary>
    public const long DefaultMaxElements = 16L << 20;

    Tensor? _buffer;
    int _rented;
    bool _disposed;

    /// <summary>Creates an empty scratch; the buffer is allocated by the first rental.</summary>
    /// <param name="maxElements">Largest buffer kept (floats); bigger weights are widened and multiplied in slices of output rows.</param>
    public WidenedWeightScratch(long maxElements = DefaultMaxElements)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxElements);
        MaxElements = maxElements;
    }

    /// <summary>Largest buffer kept (floats).</summary>
    public long MaxElements { get; }

    /// <summary>Floats in the current buffer (0 before the first rental): it grows to the largest rental.</summary>
    public long Capacity => Volatile.Read(ref _capacity);

    long _capacity;

    /// <summary>
    /// The buffer, at least <paramref name="elements"/> long (≤ <see cref="MaxElements"/>), or null when another caller
    /// has it. Give it back with <see cref="Return"/>; its contents are garbage until the renter writes them.
    /// </summary>
    public Tensor? TryRent(long elements)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(elements);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elements, MaxElements);
        if (Interlocked.Exchange(ref _rented, 1) == 1) return null;
        if (_disposed)
        {
            Volatile.Write(ref _rented, 0);
            return null;
        }
        if (_buffer is null || _buffer.numel() < elements)
        {
            _buffer?.Dispose();
            _buffer = empty(elements, ScalarType.Float32);
            _buffer.DetachFromDisposeScope();
            Volatile.Write(ref _capacity, elements);
        }
        return _buffer;
    }

    /// <summary>Ends a rental from <see cref="TryRent"/> (frees the buffer if the scratch was disposed meanwhile).</summary>
    public void Return()
    {
        if (Volatile.Read(ref _disposed)) Free();
        Volatile.Write(ref _rented, 0);
    }

    /// <summary>
    /// Frees the buffer, or leaves that to the current renter's <see cref="Return"/> (never waits for it); later rentals
    /// find nothing and the caller widens into a temporary.
    /// </summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        if (Interlocked.Exchange(ref _rented, 1) == 1) return;
        Free();
        Volatile.Write(ref _rented, 0);
    }

    void Free()
    {
        _buffer?.Dispose();
        _buffer = null;
        Volatile.Write(ref _capacity, 0);
    }
}
