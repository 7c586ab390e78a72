namespace RagTune.Evaluation.Benchmark;

/// <summary>
/// Everything one seed generates: the pre-training world (entities and documents the base model learns from) and the
/// test world (other entities): its documents, test items, knowledge update, rewrites for ft-paraphrase, training
/// questions on facts no test item asks, and the classification task.
/// </summary>
internal sealed record BenchmarkWorld
{
    /// <summary>The seed it was generated from.</summary>
    public required int Seed { get; init; }
    /// <summary>The preset's name.</summary>
    public required string Preset { get; init; }
    /// <summary>Entities the base model is pre-trained on.</summary>
    public required IReadOnlyList<BenchmarkEntity> PretrainEntities { get; init; }
    /// <summary>Pre-training entities whose facts the corpus also asks closed book.</summary>
    public required IReadOnlySet<string> MemoryEntities { get; init; }
    /// <summary>Pre-training documents (each entity's two documents and one rewrite of each).</summary>
    public required IReadOnlyList<BenchmarkDocument> PretrainDocuments { get; init; }
    /// <summary>
    /// Held-out entities of the pre-training world (same kind of documents, never in the corpus): the base model's
    /// reading check is asked on them, so the pre-training budget is judged without looking at the test world.
    /// </summary>
    public required IReadOnlyList<BenchmarkEntity> ValidationEntities { get; init; }
    /// <summary>The validation entities' documents (two each, as a test entity's).</summary>
    public required IReadOnlyList<BenchmarkDocument> ValidationDocuments { get; init; }
    /// <summary>People who occur only in the corpus' context-reading conversations (see <see cref="BenchmarkPreset.ReadingEntities"/>).</summary>
    public required IReadOnlyList<BenchmarkEntity> ReadingEntities { get; init; }
    /// <summary>The reading entities' documents (two each), only ever shown as numbered sources.</summary>
    public required IReadOnlyList<BenchmarkDocument> ReadingDocuments { get; init; }
    /// <summary>Entities of the test world (disjoint from the pre-training ones).</summary>
    public required IReadOnlyList<BenchmarkEntity> TestEntities { get; init; }
    /// <summary>Names that occur nowhere (unanswerable questions).</summary>
    public required IReadOnlyList<string> UnknownNames { get; init; }
    /// <summary>The test world's documents before the update.</summary>
    public required IReadOnlyList<BenchmarkDocument> TestDocuments { get; init; }
    /// <summary>Rewrites of every test document (same facts, other sentences) for ft-paraphrase.</summary>
    public required IReadOnlyList<BenchmarkDocument> Paraphrases { get; init; }
    /// <summary>QA test items (held-out phrasings; includes unanswerable ones).</summary>
    public required IReadOnlyList<QaItem> QaTest { get; init; }
    /// <summary>Multiple-choice test items on the same facts (the other held-out phrasing).</summary>
    public required IReadOnlyList<McItem> McTest { get; init; }
    /// <summary>Training questions for ft-task/RAFT: one attribute per test entity that no test item asks, training phrasings.</summary>
    public required IReadOnlyList<QaItem> QaTrain { get; init; }
    /// <summary>The same training facts as options (multiple-choice training data).</summary>
    public required IReadOnlyList<McItem> McTrain { get; init; }
    /// <summary>The documents the update replaces (same file names, new values).</summary>
    public required IReadOnlyList<BenchmarkDocument> UpdatedDocuments { get; init; }
    /// <summary>QA questions on the changed facts (answers = new values).</summary>
    public required IReadOnlyList<QaItem> QaUpdateTest { get; init; }
    /// <summary>Multiple-choice questions on the changed facts.</summary>
    public required IReadOnlyList<McItem> McUpdateTest { get; init; }
    /// <summary>Labelled reviews for training.</summary>
    public required IReadOnlyList<ClassifyItem> ClassifyTrain { get; init; }
    /// <summary>Labelled reviews for testing.</summary>
    public required IReadOnlyList<ClassifyItem> ClassifyTest { get; init; }
}
