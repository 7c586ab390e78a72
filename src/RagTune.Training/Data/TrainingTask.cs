namespace RagTune.Training.Data;

/// <summary>What a fine-tuning run learns.</summary>
public enum TrainingTask
{
    /// <summary>Raw text <c>{"text"}</c>, next-token loss on every token (continued pre-training).</summary>
    Causal,
    /// <summary><c>{"messages"}</c> or <c>{"prompt","completion"}</c>; loss on assistant/completion tokens only.</summary>
    Sft,
    /// <summary><c>{"text","label"}</c>; cross-entropy of a sequence-classification head.</summary>
    Classify,
}
