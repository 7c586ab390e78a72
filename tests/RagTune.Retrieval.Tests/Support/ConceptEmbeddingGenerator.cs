using Microsoft.Extensions.AI;

namespace RagTune.Retrieval.Tests.Support;

/// <summary>
/// A deterministic, meaningful test embedder: each known word maps to a concept dimension (synonyms share one), the
/// vector counts concepts; unknown words contribute nothing. Dense retrieval through it is the real code path
/// (embed, normalise, vector index, filter), with semantics a test can reason about.
/// </summary>
internal sealed class ConceptEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    readonly Dictionary<string, int> _concept = new(StringComparer.OrdinalIgnoreCase);

    public ConceptEmbeddingGenerator(IEnumerable<string[]> synonymSets)
    {
        foreach (var set in synonymSets)
        {
            var id = Dimensions++;
            foreach (var word in set) _concept[word] = id;
        }
    }

    public int Dimensions { get; }

    public int Calls { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var text in values)
        {
            var v = new float[Dimensions];
            foreach (var raw in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                if (_concept.TryGetValue(raw.Trim('.', ',', '?', '!', ':', ';', '"'), out var id)) v[id] += 1;
            result.Add(new Embedding<float>(v));
        }
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() { }
}
