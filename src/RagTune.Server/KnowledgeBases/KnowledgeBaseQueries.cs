using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Generation;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;
using RagTune.Server.Common;
using RagTune.Server.OpenAi;

namespace RagTune.Server.KnowledgeBases;

/// <summary>
/// Reading a knowledge base: statistics, documents, search, grounded answers (through the library's
/// <see cref="GroundedAnswerGenerator"/>) and the grounding of chat completions (<see cref="IChatContextProvider"/>,
/// the same prompt the generator builds). Each call opens the store read-only, so reads go on while an ingest writes.
/// </summary>
public sealed class KnowledgeBaseQueries(KnowledgeBaseRegistry registry, LocalModelHub models) : IChatContextProvider
{
    /// <summary>Default context window asked of a model (capped by its <c>max_position_embeddings</c>).</summary>
    public const int DefaultContextTokens = 2048;

    /// <summary>Retrieval modes.</summary>
    public static readonly string[] Modes = ["bm25", "dense", "hybrid"];

    /// <summary>Name, origin and statistics of a knowledge base.</summary>
    public object Describe(KnowledgeBaseInfo info)
    {
        using var kb = KnowledgeBase.OpenReadOnly(info.StoreFolder);
        var s = kb.GetStats();
        return new { @object = "knowledge_base", info.Name, info.External, s.Files, s.Documents, s.Chunks, s.EmbeddedChunks, s.EmbeddingModel };
    }

    /// <summary>Uploaded files (and, for <c>--kb</c> folders, the files ingested before) with their documents.</summary>
    public IReadOnlyList<KnowledgeBaseFile> Documents(string name)
    {
        var info = registry.Get(name);
        using var kb = KnowledgeBase.OpenReadOnly(info.StoreFolder);
        var files = new List<KnowledgeBaseFile>();
        foreach (var path in kb.GetFilePaths().Order(StringComparer.Ordinal))
        {
            var record = kb.GetFile(path);
            var docs = kb.GetDocumentHashes(path).Keys.Order(StringComparer.Ordinal)
                .Select(id => new KnowledgeBaseDocument(id, kb.GetDocumentChunks(id) is { Count: > 0 } c ? c[0].Title : id, kb.GetDocumentChunks(id).Count)).ToList();
            var uploaded = Path.GetDirectoryName(path) == Path.GetFullPath(info.FilesFolder);
            files.Add(new KnowledgeBaseFile(Path.GetFileName(path), uploaded, record?.Size ?? 0, record?.Modified, docs));
        }
        return files;
    }

    /// <summary>A document's full text and title (for showing a cited passage in context), or a 404.</summary>
    public (string Title, string Text) DocumentText(string name, string? documentId)
    {
        var info = registry.Get(name);
        if (string.IsNullOrEmpty(documentId)) throw ApiError.BadRequest("The query parameter 'id' (a document id) is required.", "id");
        using var kb = KnowledgeBase.OpenReadOnly(info.StoreFolder);
        var text = kb.GetDocumentText(documentId) ?? throw ApiError.NotFound($"No document '{documentId}' in knowledge base '{name}'.", "id", "document_not_found");
        var chunks = kb.GetDocumentChunks(documentId);
        return (chunks.Count > 0 ? chunks[0].Title : documentId, text);
    }

    /// <summary>The top chunks for <paramref name="query"/>.</summary>
    public async Task<IReadOnlyList<RetrievedChunk>> SearchAsync(string name, string? query, int k, string? mode, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query)) throw ApiError.BadRequest("'query' must be a non-empty string.", "query");
        if (k is < 1 or > 100) throw ApiError.BadRequest($"'k' must be between 1 and 100, got {k}.", "k");
        var info = registry.Get(name);
        using var kb = KnowledgeBase.OpenReadOnly(info.StoreFolder);
        return await Retriever(kb, mode).RetrieveAsync(query, new RetrievalOptions { TopK = k }, cancellationToken);
    }

    /// <summary>Streams a grounded answer to <paramref name="question"/> by model <paramref name="modelId"/>; the last update carries the answer.</summary>
    public async IAsyncEnumerable<GroundedAnswerUpdate> AskStreamingAsync(string name, string? question, string? modelId, int k,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(question)) throw ApiError.BadRequest("'question' must be a non-empty string.", "question");
        if (k is < 1 or > 50) throw ApiError.BadRequest($"'k' must be between 1 and 50, got {k}.", "k");
        var info = registry.Get(name);
        var folder = models.Folder(modelId);
        var chat = models.Chat(folder);
        using var kb = KnowledgeBase.OpenReadOnly(info.StoreFolder);
        var generator = new GroundedAnswerGenerator(Retriever(kb, null), chat, AnswerOptions(folder, k));
        await foreach (var update in generator.AskStreamingAsync(question, cancellationToken)) yield return update;
    }

    /// <inheritdoc/>
    public async Task<GroundedChat> GroundAsync(string knowledgeBase, IReadOnlyList<ChatMessage> messages, string modelId, CancellationToken cancellationToken)
    {
        // The chat endpoint answers OpenAiExceptions as OpenAI errors; anything else would be a 500.
        try { return await GroundCoreAsync(knowledgeBase, messages, modelId, cancellationToken); }
        catch (ApiError e) { throw new OpenAiException(e.Status, e.Message, e.Type, e.Param is "knowledge_base" or "name" ? "knowledge_base" : e.Param, e.Code); }
    }

    async Task<GroundedChat> GroundCoreAsync(string knowledgeBase, IReadOnlyList<ChatMessage> messages, string modelId, CancellationToken cancellationToken)
    {
        var info = registry.Get(knowledgeBase);
        var question = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text;
        if (string.IsNullOrWhiteSpace(question))
            throw ApiError.BadRequest("A request grounded in a knowledge base needs a user message with the question.", "messages");
        var options = AnswerOptions(models.Folder(modelId), 5);
        using var kb = KnowledgeBase.OpenReadOnly(info.StoreFolder);
        // The generator's own prompt (system rules + numbered sources + question), so chat completions and /ask agree.
        var prompt = await new GroundedAnswerGenerator(Retriever(kb, null), new NoChatClient(), options).BuildPromptAsync(question, cancellationToken);
        var citations = prompt.Sources.Select(s => new ChatCitation(s.Number, s.Retrieved.Chunk.DocumentId, s.Retrieved.Chunk.Title,
            Path.GetFileName(s.Retrieved.Chunk.SourcePath), s.Start, s.End, s.Retrieved.Chunk.Page, s.Text)).ToList();
        return new GroundedChat(prompt.Messages, citations);
    }

    static GroundedAnswerOptions AnswerOptions(string folder, int k)
    {
        var window = LocalModelHub.ContextWindow(folder, DefaultContextTokens);
        return new GroundedAnswerOptions
        {
            ContextTokens = window,
            AnswerTokens = Math.Min(384, window / 4),
            TokenCounter = LocalModelHub.TokenCounter(folder),
            Retrieval = new RetrievalOptions { TopK = k },
        };
    }

    IChunkRetriever Retriever(KnowledgeBase kb, string? mode)
    {
        if (mode is not null && !Modes.Contains(mode)) throw ApiError.BadRequest($"'mode' must be one of {string.Join(", ", Modes)}, got '{mode}'.", "mode");
        var embedding = kb.EmbeddingModel;
        mode ??= embedding is not null && Directory.Exists(embedding) ? "hybrid" : "bm25";
        var bm25 = new LuceneBm25Retriever(kb);
        if (mode == "bm25") return bm25;
        if (embedding is null || !Directory.Exists(embedding))
            throw ApiError.BadRequest($"The knowledge base has no usable embeddings, so mode '{mode}' cannot run; use 'bm25' or start the server with --embed-model.", "mode");
        var dense = new DenseVectorRetriever(kb, models.Embedder(embedding));
        return mode == "dense" ? dense : new HybridRetriever(bm25, dense);
    }

    /// <summary>Stands in for the chat model where only the prompt is built (never called).</summary>
    sealed class NoChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }
}
