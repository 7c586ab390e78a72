namespace RagTune.Application.Compare;

/// <summary>The config's <c>training</c> object (an arm may override any field with its own <c>training</c>).</summary>
public sealed record TrainingSettings
{
    /// <summary>lora or full.</summary>
    public string Method { get; init; } = "lora";
    /// <summary>Passes over the arm's training data.</summary>
    public int Epochs { get; init; } = 3;
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-4;
    /// <summary>LoRA rank (alpha = 2 × rank).</summary>
    public int LoraR { get; init; } = 8;
    /// <summary>Longest training sequence in tokens.</summary>
    public int MaxSeqLen { get; init; } = 256;
    /// <summary>Examples per step.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>
    /// Text arms (ft-docs, ft-paraphrase): documents concatenated into full <see cref="MaxSeqLen"/> blocks (true), or
    /// one sequence per document in length-grouped batches (false: no attention across unrelated documents, and for
    /// short documents far less attention work).
    /// </summary>
    public bool Packing { get; init; } = true;
}
