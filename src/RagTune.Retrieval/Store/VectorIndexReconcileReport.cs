namespace RagTune.Retrieval.Store;

/// <summary>What loading the dense index repaired against SQLite: vectors added, stale vectors removed, and whether
/// the persisted HNSW file had to be rebuilt from scratch (missing, corrupt or of other dimensions).</summary>
public sealed record VectorIndexReconcileReport(int Added, int Removed, bool Rebuilt);
