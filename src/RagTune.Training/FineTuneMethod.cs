namespace RagTune.Training;

/// <summary>Which parameters a fine-tuning run trains.</summary>
public enum FineTuneMethod
{
    /// <summary>Every parameter.</summary>
    Full,
    /// <summary>Low-rank adapters on targeted linear layers; the base stays frozen.</summary>
    Lora,
}
