namespace RagTune.Evaluation.Compare.Reports;

/// <summary>
/// One test item as an arm answered it: the prediction, its main score and every per-item metric (<c>scores</c>;
/// a metric that does not apply to the item is absent), the gold label for classification, the prompt size and time.
/// </summary>
public sealed record ItemResult
{
    /// <summary>The test item's id.</summary>
    public required string Id { get; init; }
    /// <summary>The arm's answer (generated text, chosen option or label).</summary>
    public required string Prediction { get; init; }
    /// <summary>The task metric on this item; on an unanswerable question 1 when the arm declined to answer, else 0.</summary>
    public double? Score { get; init; }
    /// <summary>Every per-item metric that applies.</summary>
    public Dictionary<string, double> Scores { get; init; } = [];
    /// <summary>Gold label (classification; macro-F1 needs it).</summary>
    public string? Gold { get; init; }
    /// <summary>Prompt tokens sent to the model (tokenizer count, or a word estimate for a remote model).</summary>
    public int PromptTokens { get; init; }
    /// <summary>Wall time of this answer in milliseconds (retrieval + model).</summary>
    public double LatencyMs { get; init; }
}
