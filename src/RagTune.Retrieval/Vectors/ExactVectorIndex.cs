using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace RagTune.Retrieval.Vectors;

/// <summary>
/// Exact nearest-neighbour search: every query is scored against every stored vector with SIMD dot products
/// (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>), keeping the best k in a bounded
/// heap. Right for small corpora and as the ground truth HNSW is measured against.
/// </summary>
/// <remarks>
/// Vectors live in one contiguous array (slot i at <c>[i*dims, (i+1)*dims)</c>) so the scan streams memory; a
/// removal moves the last slot into the hole (swap-remove), keeping the array dense. Large indexes are scanned in
/// parallel slices, each with its own heap, merged at the end. Thread-safe: many concurrent searches, one writer
/// at a time (a reader-writer lock; writers wait for running searches). Ties between equal scores go to the
/// smaller id, so results are deterministic.
/// </remarks>
public sealed class ExactVectorIndex : IVectorIndex
{
    const string Magic = "RTEX";
    const int FormatVersion = 1;
    const int MinSliceSize = 8192;

    readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    readonly Dictionary<long, int> _slotOf = [];
    readonly string? _path;
    float[] _vectors;
    long[] _ids;
    int _count;
    bool _disposed;

    /// <summary>An empty index of <paramref name="dimensions"/>-dimensional vectors; <see cref="Flush"/> writes it
    /// to <paramref name="path"/> when one is given.</summary>
    public ExactVectorIndex(int dimensions, string? path = null, int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapacity);
        Dimensions = dimensions;
        _path = path;
        _vectors = new float[(long)initialCapacity * dimensions];
        _ids = new long[initialCapacity];
    }

    /// <inheritdoc/>
    public int Dimensions { get; }

    /// <inheritdoc/>
    public int Count { get { _lock.EnterReadLock(); try { return _count; } finally { _lock.ExitReadLock(); } } }

    /// <summary>Above this many vectors a search scans slices in parallel (one per core). Default 32,768: below it
    /// the scan takes well under a millisecond and task overhead would dominate.</summary>
    public int ParallelThreshold { get; init; } = 32_768;

    /// <summary>The file <see cref="Flush"/> writes, or null for an in-memory index.</summary>
    public string? FilePath => _path;

    /// <summary>Loads an index written by <see cref="Save"/> or <see cref="Flush"/>; later flushes go back to it.</summary>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or not an exact index; the message names it.</exception>
    public static ExactVectorIndex Load(string path)
    {
        var (reader, header) = VectorIndexFile.OpenValidated(path, Magic, FormatVersion);
        using (reader)
        {
            var expected = VectorIndexFile.HeaderSize + (long)header.Count * (8 + 4L * header.Dimensions) + 32;
            if (expected != reader.BaseStream.Length)
                throw VectorIndexFile.Bad(path, $"{header.Count} vectors of {header.Dimensions} floats need {expected} bytes, the file has {reader.BaseStream.Length}");
            var index = new ExactVectorIndex(header.Dimensions, path, Math.Max(1, header.Count));
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(index._ids.AsSpan(0, header.Count)));
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(index._vectors.AsSpan(0, header.Count * header.Dimensions)));
            VectorIndexFile.ExpectPayloadEnd(reader, path);
            for (var slot = 0; slot < header.Count; slot++)
                if (!index._slotOf.TryAdd(index._ids[slot], slot))
                    throw VectorIndexFile.Bad(path, $"id {index._ids[slot]} appears twice");
            index._count = header.Count;
            return index;
        }
    }

    /// <summary>Loads <paramref name="path"/> when it exists, else an empty index that will be written there.</summary>
    public static ExactVectorIndex OpenOrCreate(string path, int dimensions)
    {
        if (!File.Exists(path)) return new ExactVectorIndex(dimensions, path);
        var index = Load(path);
        if (index.Dimensions != dimensions)
        {
            index.Dispose();
            throw VectorIndexFile.Bad(path, $"it holds {index.Dimensions}-dimensional vectors, the caller expects {dimensions}; re-embed or delete the file");
        }
        return index;
    }

    /// <inheritdoc/>
    public void Upsert(long id, ReadOnlySpan<float> vector)
    {
        CheckDimensions(vector);
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_slotOf.TryGetValue(id, out var slot))
            {
                if (_count == _ids.Length) Grow();
                slot = _count++;
                _ids[slot] = id;
                _slotOf[id] = slot;
            }
            vector.CopyTo(_vectors.AsSpan(slot * Dimensions, Dimensions));
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <inheritdoc/>
    public bool Remove(long id)
    {
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_slotOf.Remove(id, out var slot)) return false;
            var last = --_count;
            if (slot != last)
            {
                // Swap-remove: the last vector fills the hole so slots stay dense.
                _vectors.AsSpan(last * Dimensions, Dimensions).CopyTo(_vectors.AsSpan(slot * Dimensions, Dimensions));
                _ids[slot] = _ids[last];
                _slotOf[_ids[slot]] = slot;
            }
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Copies the stored vector of <paramref name="id"/> into <paramref name="destination"/>.</summary>
    public bool TryGetVector(long id, Span<float> destination)
    {
        if (destination.Length != Dimensions) throw new ArgumentException($"Destination has {destination.Length} floats, expected {Dimensions}.", nameof(destination));
        _lock.EnterReadLock();
        try
        {
            if (!_slotOf.TryGetValue(id, out var slot)) return false;
            _vectors.AsSpan(slot * Dimensions, Dimensions).CopyTo(destination);
            return true;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <inheritdoc/>
    public bool Contains(long id)
    {
        _lock.EnterReadLock();
        try { return _slotOf.ContainsKey(id); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>A snapshot of the stored ids, in slot order.</summary>
    public long[] GetIds()
    {
        _lock.EnterReadLock();
        try { return _ids.AsSpan(0, _count).ToArray(); }
        finally { _lock.ExitReadLock(); }
    }

    /// <inheritdoc/>
    /// <remarks>For large indexes <paramref name="filter"/> is called from several threads at once.</remarks>
    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, Func<long, bool>? filter = null)
    {
        CheckDimensions(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var count = _count;
            if (count == 0) return [];
            k = Math.Min(k, count);
            if (count < ParallelThreshold || Environment.ProcessorCount == 1)
            {
                var top = new TopK(k);
                ScanSlice(query, 0, count, top, filter);
                return top.DrainSorted();
            }
            return ParallelSearch(query.ToArray(), count, k, filter);
        }
        finally { _lock.ExitReadLock(); }
    }

    VectorHit[] ParallelSearch(float[] query, int count, int k, Func<long, bool>? filter)
    {
        var slices = Math.Max(1, Math.Min(Environment.ProcessorCount, count / MinSliceSize));
        var partial = new TopK[slices];
        // The caller holds the read lock for the whole parallel section, so no writer can move slots under us.
        Parallel.For(0, slices, s =>
        {
            var start = (int)((long)count * s / slices);
            var end = (int)((long)count * (s + 1) / slices);
            var top = new TopK(k);
            ScanSlice(query, start, end, top, filter);
            partial[s] = top;
        });
        var merged = new TopK(k);
        foreach (var top in partial)
            foreach (var hit in top.DrainSorted())
                merged.Add(hit);
        return merged.DrainSorted();
    }

    void ScanSlice(ReadOnlySpan<float> query, int start, int end, TopK top, Func<long, bool>? filter)
    {
        var dims = Dimensions;
        var vectors = _vectors;
        var ids = _ids;
        for (var slot = start; slot < end; slot++)
        {
            var score = TensorPrimitives.Dot(query, new ReadOnlySpan<float>(vectors, slot * dims, dims));
            if (!top.MayAccept(score) || float.IsNaN(score)) continue;
            var id = ids[slot];
            // The filter runs only for hits that would enter the heap: usually a small fraction of the scan.
            if (filter is not null && !filter(id)) continue;
            top.Add(new VectorHit(id, score));
        }
    }

    /// <summary>Writes the index to <paramref name="path"/> atomically (temp file, fsync, rename).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Index files are little-endian.");
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            VectorIndexFile.WriteAtomic(path, Magic, new(FormatVersion, Dimensions, _count), w =>
            {
                w.Write(MemoryMarshal.AsBytes(_ids.AsSpan(0, _count)));
                w.Write(MemoryMarshal.AsBytes(_vectors.AsSpan(0, _count * Dimensions)));
            });
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <inheritdoc/>
    public void Flush()
    {
        if (_path is not null) Save(_path);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _lock.EnterWriteLock();
        try { _disposed = true; _vectors = []; _ids = []; _slotOf.Clear(); _count = 0; }
        finally { _lock.ExitWriteLock(); }
    }

    void Grow()
    {
        var capacity = checked(Math.Max(16, _ids.Length * 2));
        if ((long)capacity * Dimensions > Array.MaxLength)
            throw new InvalidOperationException($"An exact index of {Dimensions}-dimensional vectors holds at most {Array.MaxLength / Dimensions} vectors; use HnswVectorIndex or shard.");
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _vectors, capacity * Dimensions);
    }

    void CheckDimensions(ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimensions)
            throw new ArgumentException($"Vector has {vector.Length} dimensions, the index holds {Dimensions}-dimensional vectors.", nameof(vector));
    }
}
