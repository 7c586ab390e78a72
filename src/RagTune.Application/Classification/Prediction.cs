namespace RagTune.Application;

/// <summary>A classifier's answer for one text: class id, label name and its probability.</summary>
public sealed record Prediction(int Id, string Label, float Probability);
