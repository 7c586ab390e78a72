namespace RagTune.Training.Embeddings;

/// <summary>Options of <see cref="EmbeddingFineTuneRecipe"/> (printed in full at the start of a run).</summary>
public sealed record EmbeddingFineTuneOptions
{
    /// <summary>Sentence-encoder folder (e.g. a built-in model's cache folder or an imported ONNX model).</summary>
    public required string ModelDir { get; init; }

    /// <summary>Training pairs (JSONL: query, positive[, negative]).</summary>
    public required string DataPath { get; init; }

    /// <summary>Held-out pairs: recall@k before and after training is reported on them; null: none.</summary>
    public string? EvalPath { get; init; }

    /// <summary>Output folder (a sentence-encoder folder usable as <c>--embed-model</c>).</summary>
    public required string OutputDir { get; init; }

    /// <summary>Full fine-tuning, or LoRA (merged into the saved weights).</summary>
    public FineTuneMethod Method { get; init; } = FineTuneMethod.Full;

    /// <summary>LoRA rank/alpha/targets (LoRA only; default targets: query, value).</summary>
    public Lora.LoraConfig? Lora { get; init; }

    /// <summary>Passes over the pairs.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Pairs per step: every other pair's passage is an in-batch negative.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate (linear warmup, then linear decay).</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>Fraction of steps of warmup.</summary>
    public double WarmupRatio { get; init; } = 0.1;

    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Softmax temperature on cosine similarities (sentence-transformers' scale 20 = 0.05).</summary>
    public double Temperature { get; init; } = 0.05;

    /// <summary>Tokens per text (default: the folder's <c>max_seq_length</c>, at most 128 for training).</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Seed of the data order.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Recall cut-off reported on <see cref="EvalPath"/>.</summary>
    public int RecallAtK { get; init; } = 10;
}
