using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Application;

/// <summary>Searches a knowledge base.</summary>
public static class SearchService
{
    /// <summary>Opens the knowledge base read-only, retrieves the top chunks and closes everything it opened.</summary>
    /// <exception cref="ServiceException">Bad <see cref="SearchRequest.TopK"/> or filter, missing knowledge base, or a mode it cannot serve.</exception>
    public static async Task<SearchResult> RunAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TopK <= 0) throw new ServiceException($"-k must be positive, got {request.TopK}.", ServiceErrorKind.BadArguments);
        MetadataFilter? filter;
        try { filter = request.Filters.Count > 0 ? MetadataFilter.Parse(request.Filters) : null; }
        catch (FormatException e) { throw new ServiceException(e.Message, ServiceErrorKind.BadArguments, e); }
        using var kb = KnowledgeBases.OpenForReading(request.KnowledgeBase);
        using var retriever = RetrieverBuilder.Build(kb, request.Mode, embedderOptions: request.EmbedOptions);
        var options = new RetrievalOptions { TopK = request.TopK, MinScore = request.MinScore, Filter = filter };
        var hits = await retriever.RetrieveAsync(request.Query, options, cancellationToken);
        return new SearchResult(retriever.Mode, hits);
    }
}
