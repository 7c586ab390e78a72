namespace RagTune.Retrieval.Store;

/// <summary>What opening a knowledge base repaired: chunks SQLite committed that Lucene lacked (re-indexed) and
/// Lucene documents SQLite no longer has (deleted). Both zero after a clean shutdown.</summary>
public sealed record ReconcileReport(int Reindexed, int Removed)
{
    /// <summary>True when the two stores already agreed.</summary>
    public bool WasClean => Reindexed == 0 && Removed == 0;
}
