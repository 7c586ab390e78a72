using Microsoft.Extensions.AI;

namespace RagTune.Models.Clients;

/// <summary>
/// Marks an embedding request as a search query rather than a passage, in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>
/// (<c>input_type</c>, as hosted embedding APIs name it). Asymmetric encoders put an instruction before queries only
/// (arctic-embed: "Represent this sentence for searching relevant passages: "); retrievers ask with
/// <see cref="Query"/>, ingestion without options (passages).
/// </summary>
public static class EmbeddingPurpose
{
    /// <summary>The additional property's name.</summary>
    public const string PropertyName = "input_type";

    /// <summary>The property's value for queries.</summary>
    public const string QueryValue = "query";

    /// <summary>Fresh options for embedding search queries.</summary>
    public static EmbeddingGenerationOptions Query() => new() { AdditionalProperties = new() { [PropertyName] = QueryValue } };

    /// <summary>Whether <paramref name="options"/> ask for query embeddings.</summary>
    public static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(PropertyName, out var value) == true && value is string s &&
        string.Equals(s, QueryValue, StringComparison.OrdinalIgnoreCase);
}
