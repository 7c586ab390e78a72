namespace RagTune.Training.Data;

/// <summary>
/// One tokenized training sequence. For language-model tasks <see cref="Labels"/> has one entry per token
/// (<see cref="IgnoreIndex"/> where no loss is taken; the model shifts them itself); for classification
/// <see cref="ClassId"/> is the label id and <see cref="Labels"/> is empty.
/// </summary>
public sealed record TrainingExample(int[] InputIds, int[] Labels, int ClassId = -1)
{
    /// <summary>The label value that cross-entropy skips (PyTorch's and HF's convention).</summary>
    public const int IgnoreIndex = -100;

    /// <summary>A causal-LM example whose labels are its inputs.</summary>
    public static TrainingExample ForCausal(int[] ids) => new(ids, (int[])ids.Clone());

    /// <summary>A classification example.</summary>
    public static TrainingExample ForClass(int[] ids, int classId) => new(ids, [], classId);
}
