using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace RagTune.Models.Kernels;

/// <summary>
/// The threads a hand-written decode step runs its phases on: the calling thread plus <c>Size − 1</c> persistent helpers.
/// A decode step is ~150 short phases (a few hundred microseconds each), too short for the thread pool's wake-up
/// latency, so helpers spin between phases and park only after <see cref="ParkAfter"/> without work.
/// <para>
/// Threads claim ranges of a phase's items from a shared counter (guided self-scheduling: each claim takes
/// 1/threads of what is left, never less than a grain), not one fixed share per thread; smaller shares (more, shorter
/// streams) measured 2–5 % slower. Early claims are long — a long sequential
/// stream is what the memory prefetchers reward — and the last ones are short, so threads finish together. When the
/// machine is busy and a helper is descheduled, the caller simply claims its work: a phase never waits on a thread that
/// is not running, at most on the one short range a helper is in the middle of.
/// </para>
/// </summary>
public sealed class DecodeTeam : IDisposable
{
    /// <summary>How long an idle helper spins before it parks.</summary>
    public static readonly TimeSpan ParkAfter = TimeSpan.FromMilliseconds(3);

    readonly Thread[] _helpers;
    readonly SemaphoreSlim[] _wake;
    readonly int[] _parked;
    readonly Lock _owner = new();
    Phase? _current;
    int _generation;
    volatile bool _stop;

    /// <summary>
    /// One thread per core, capped by <c>torch.get_num_threads()</c> (the user's choice of compute threads) or by
    /// RAGTUNE_DECODE_THREADS.
    /// </summary>
    public static DecodeTeam Shared { get; } = new(
        int.TryParse(Environment.GetEnvironmentVariable("RAGTUNE_DECODE_THREADS"), out var n) && n > 0
            ? n
            : Math.Max(1, Math.Min(Environment.ProcessorCount, TorchSharp.torch.get_num_threads())));

    /// <summary>Creates a team of <paramref name="size"/> threads (the caller counts as one).</summary>
    public DecodeTeam(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Size = size;
        _helpers = new Thread[size - 1];
        _wake = new SemaphoreSlim[size - 1];
        _parked = new int[size - 1];
        for (var i = 0; i < _helpers.Length; i++)
        {
            var index = i;
            _wake[i] = new SemaphoreSlim(0);
            _helpers[i] = new Thread(() => HelperLoop(index)) { IsBackground = true, Name = $"ragtune-decode-{i + 1}" };
            _helpers[i].Start();
        }
    }

    /// <summary>Threads that work on a phase, the caller included.</summary>
    public int Size { get; }

    /// <summary>
    /// Runs <paramref name="range"/>(start, end) over disjoint ranges covering [0, <paramref name="count"/>), each at
    /// least <paramref name="grain"/> items long (except the tail), on the team; returns when all are done. Only one
    /// caller at a time gets the helpers; a concurrent caller runs its phase alone.
    /// </summary>
    public void Run(int count, int grain, Action<int, int> range)
    {
        if (count <= 0) return;
        var phase = new Phase(count, Math.Max(1, grain), Size, range);
        if (Size == 1 || count <= grain || !_owner.TryEnter())
        {
            phase.Work();
            phase.ThrowIfFailed();
            return;
        }
        try
        {
            Volatile.Write(ref _current, phase);
            Interlocked.Increment(ref _generation);
            for (var i = 0; i < _parked.Length; i++)
                if (Interlocked.Exchange(ref _parked[i], 0) == 1) _wake[i].Release();
            phase.Work();
            // Everything is claimed; wait for the ranges helpers are still finishing (microseconds).
            var spins = 0;
            while (Volatile.Read(ref phase.Done) != count)
                if (++spins < 100_000) Thread.SpinWait(4);
                else Thread.Yield();
            phase.ThrowIfFailed();
        }
        finally
        {
            Volatile.Write(ref _current, null);
            _owner.Exit();
        }
    }

    void HelperLoop(int index)
    {
        var seen = 0;
        while (!_stop)
        {
            var idleSince = Stopwatch.GetTimestamp();
            var spins = 0;
            while (Volatile.Read(ref _generation) == seen && !_stop)
            {
                Thread.SpinWait(8);
                if ((++spins & 1023) != 0 || Stopwatch.GetElapsedTime(idleSince) < ParkAfter) continue;
                Volatile.Write(ref _parked[index], 1);
                if (Volatile.Read(ref _generation) != seen || _stop)
                {
                    // Work arrived while parking: whoever clears the flag owns the wake-up. If Run cleared it, it
                    // released the semaphore, which must be consumed here.
                    if (Interlocked.Exchange(ref _parked[index], 0) == 0) _wake[index].Wait();
                    break;
                }
                _wake[index].Wait();
                idleSince = Stopwatch.GetTimestamp();
            }
            seen = Volatile.Read(ref _generation);
            Volatile.Read(ref _current)?.Work();
        }
    }

    /// <summary>Stops and joins the helpers.</summary>
    public void Dispose()
    {
        _stop = true;
        for (var i = 0; i < _helpers.Length; i++)
        {
            if (Interlocked.Exchange(ref _parked[i], 0) == 1) _wake[i].Release();
            _helpers[i].Join();
            _wake[i].Dispose();
        }
    }

    /// <summary>One parallel phase: the claim counter and the body travel together, so a late helper can never run a
    /// newer phase's range with an older body.</summary>
    sealed class Phase(int count, int grain, int threads, Action<int, int> body)
    {
        int _next;
        public int Done;
        Exception? _error;

        public void Work()
        {
            while (true)
            {
                var start = Volatile.Read(ref _next);
                if (start >= count) return;
                var left = count - start;
                var size = Math.Min(left, Math.Max(grain, left / threads));
                if (Interlocked.CompareExchange(ref _next, start + size, start) != start) continue;
                try { body(start, start + size); }
                catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
                Interlocked.Add(ref Done, size);
            }
        }

        public void ThrowIfFailed()
        {
            if (_error is { } e) ExceptionDispatchInfo.Capture(e).Throw();
        }
    }
}
