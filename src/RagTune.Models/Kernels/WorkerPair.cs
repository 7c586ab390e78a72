namespace RagTune.Models.Kernels;

/// <summary>
/// Runs a range of work on the calling thread plus <see cref="Workers"/> persistent helper threads that spin-wait
/// between calls. A decode step issues ~200 small matrix-vector products; waking pooled threads through
/// <see cref="Parallel.For(int, int, Action{int})"/> costs several microseconds each, spinning costs almost nothing.
/// Helpers park (sleep) after a short idle period so an idle process leaves the cores alone.
/// </summary>
internal sealed class WorkerPair : IDisposable
{
    readonly Thread[] _threads;
    volatile int _generation;
    volatile int _pending;
    Action<int, int>? _work; // (part index, part count)
    volatile bool _stop;
    readonly int _parts;
    readonly Lock _gate = new();

    /// <summary>
    /// A shared instance with one part per core, capped by <c>torch.get_num_threads()</c> (or RAGTUNE_DECODE_THREADS).
    /// </summary>
    public static WorkerPair Shared { get; } = new(int.TryParse(Environment.GetEnvironmentVariable("RAGTUNE_DECODE_THREADS"), out var n) && n > 0
        ? n
        : Math.Max(1, Math.Min(Environment.ProcessorCount, TorchSharp.torch.get_num_threads())));

    public int Workers => _threads.Length;

    public WorkerPair(int parts)
    {
        _parts = parts;
        _threads = new Thread[parts - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            var part = i + 1;
            _threads[i] = new Thread(() => Loop(part)) { IsBackground = true, Name = $"ragtune-decode-{part}" };
            _threads[i].Start();
        }
    }

    /// <summary>Calls <paramref name="work"/>(part, parts) for every part, the caller doing part 0; returns when all are done.</summary>
    public void Run(Action<int, int> work)
    {
        // One caller at a time owns the helpers; a concurrent caller (another generation on another thread) does
        // its whole range itself rather than waiting, so callers never block each other.
        if (_parts == 1 || !_gate.TryEnter()) { work(0, 1); return; }
        try
        {
            _work = work;
            _pending = _parts - 1;
            Interlocked.Increment(ref _generation);
            work(0, _parts);
            var spin = new SpinWait();
            while (_pending != 0) spin.SpinOnce(sleep1Threshold: 50);
        }
        finally
        {
            _gate.Exit();
        }
    }

    void Loop(int part)
    {
        // Start from the generation the pool was created with (0), not from whatever _generation is when this thread
        // first runs: a Run() issued before the thread got scheduled would otherwise be missed and never complete.
        var seen = 0;
        while (!_stop)
        {
            var spins = 0;
            while (_generation == seen && !_stop)
            {
                // Spin hard for a while (a decode step follows within microseconds), then back off to sleeping.
                // Spin briefly (a decode step's next matmul follows within microseconds), then yield the core, then
                // sleep: on a shared machine a spinning helper would steal time from other processes.
                if (++spins < 2_000) Thread.SpinWait(20);
                else if (spins < 20_000) Thread.Yield();
                else Thread.Sleep(1);
            }
            if (_stop) return;
            seen = _generation;
            _work!(part, _parts);
            Interlocked.Decrement(ref _pending);
        }
    }

    public void Dispose()
    {
        _stop = true;
        foreach (var t in _threads) t.Join();
    }
}
