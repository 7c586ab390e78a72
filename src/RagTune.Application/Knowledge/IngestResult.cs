using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Store;

namespace RagTune.Application;

/// <summary>The outcome of <see cref="IngestService.RunAsync"/>.</summary>
/// <param name="Summary">Counts, throughput and per-file errors.</param>
/// <param name="Recovered">What opening the knowledge base repaired after an interrupted ingest; null when it was clean.</param>
public sealed record IngestResult(IngestSummary Summary, ReconcileReport? Recovered);
