namespace RagTune.Retrieval.Chunking;

/// <summary>Counts tokens the way a model will see them; chunk sizes and prompt budgets are in these units.</summary>
public interface ITokenCounter
{
    /// <summary>Number of tokens of <paramref name="text"/> without special tokens.</summary>
    int Count(string text);
}
