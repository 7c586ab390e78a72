namespace RagTune.Application.Compare;

/// <summary>
/// One arm of the comparison: its name (base, rag, ft-docs, ft-paraphrase, ft-task, ft+rag, raft) and its settings
/// (all optional): <c>paraphrases</c> (rewrites per document), <c>rewrites</c> (a JSONL file or folder of given
/// rewrites), <c>from</c> (ft+rag: which trained model to use), <c>distractors</c> and <c>oracle_fraction</c> (raft),
/// <c>k</c> (retrieval), and a <c>training</c> object overriding the config's.
/// </summary>
public sealed record ArmSpec
{
    /// <summary>The arm names compare knows.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["base", "rag", "ft-docs", "ft-paraphrase", "ft-task", "ft+rag", "raft"];

    /// <summary>Arm name.</summary>
    public required string Name { get; init; }
    /// <summary>ft-paraphrase: rewrites per document (generated when not given). Default 2.</summary>
    public int Paraphrases { get; init; } = 2;
    /// <summary>ft-paraphrase: given rewrites (JSONL <c>{"document","text"}</c> or a folder of <c>&lt;document stem&gt;*.txt|md</c>).</summary>
    public string? Rewrites { get; init; }
    /// <summary>ft+rag: the trained model to reuse (ft-task, ft-paraphrase, ft-docs or raft); default the first of those in the config.</summary>
    public string? From { get; init; }
    /// <summary>raft: distractor chunks per training example. Default 2.</summary>
    public int Distractors { get; init; } = 2;
    /// <summary>raft: share of training examples whose context holds the retrieved (oracle) chunk (Zhang et al. use 0.8).</summary>
    public double OracleFraction { get; init; } = 0.8;
    /// <summary>Retrieved chunks for this arm (default the config's <c>retrieval.k</c>).</summary>
    public int? K { get; init; }
    /// <summary>Training overrides for this arm.</summary>
    public TrainingSettings? Training { get; init; }

    /// <summary>Whether the arm trains a model.</summary>
    public bool Trains => Name is "ft-docs" or "ft-paraphrase" or "ft-task" or "raft";
    /// <summary>Whether the arm answers with retrieval.</summary>
    public bool Retrieves => Name is "rag" or "ft+rag" or "raft";
}
