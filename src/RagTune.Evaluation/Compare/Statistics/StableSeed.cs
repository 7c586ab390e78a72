namespace RagTune.Evaluation.Compare.Statistics;

/// <summary>Seeds derived from the run's seed and names (FNV-1a), the same on every run and machine — unlike <c>string.GetHashCode</c>.</summary>
public static class StableSeed
{
    /// <summary>A seed for <paramref name="seed"/> and <paramref name="parts"/>.</summary>
    public static int Derive(int seed, params string[] parts)
    {
        var h = 2166136261u ^ (uint)seed;
        foreach (var part in parts)
        {
            foreach (var c in part) { h ^= c; h *= 16777619u; }
            h ^= 0xFF; h *= 16777619u;
        }
        return (int)(h & 0x7FFFFFFF);
    }
}
