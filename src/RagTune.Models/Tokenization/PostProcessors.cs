namespace RagTune.Models.Tokenization;

/// <summary>A tokenizer.json post-processor, for a single sequence: adds the special tokens around the ids.</summary>
internal interface IPostProcessor
{
    List<int> Process(List<int> ids);
}

/// <summary>No change to ids (the ByteLevel post-processor only trims offsets).</summary>
internal sealed class IdentityPostProcessor : IPostProcessor
{
    public List<int> Process(List<int> ids) => ids;
}

/// <summary>
/// A fixed sequence of pieces: either a run of special-token ids or the encoded sequence itself
/// (TemplateProcessing's <c>single</c>; BertProcessing and RobertaProcessing are [cls] $A [sep]).
/// </summary>
internal sealed class TemplatePostProcessor(IReadOnlyList<int[]?> pieces) : IPostProcessor
{
    /// <summary>Pieces in order; null stands for the sequence ($A).</summary>
    public IReadOnlyList<int[]?> Pieces { get; } = pieces;

    public List<int> Process(List<int> ids)
    {
        var result = new List<int>(ids.Count + 4);
        foreach (var p in Pieces)
        {
            if (p is null) result.AddRange(ids);
            else result.AddRange(p);
        }
        return result;
    }
}

internal sealed class SequencePostProcessor(IReadOnlyList<IPostProcessor> items) : IPostProcessor
{
    public List<int> Process(List<int> ids)
    {
        foreach (var p in items) ids = p.Process(ids);
        return ids;
    }
}
