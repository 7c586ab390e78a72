using RagTune.Retrieval.Store;

namespace RagTune.Application;

/// <summary>Opens knowledge bases for the services, turning store errors into <see cref="ServiceException"/>s.</summary>
public static class KnowledgeBases
{
    /// <summary>For reading (search, ask, stats, evaluation): works while another process ingests.</summary>
    public static KnowledgeBase OpenForReading(string folder)
    {
        try { return KnowledgeBase.OpenReadOnly(folder); }
        catch (DirectoryNotFoundException e) { throw new ServiceException(e.Message, ServiceErrorKind.NotFound, e); }
    }

    /// <summary>For writing (ingest): creates the folder, reconciles SQLite and Lucene after a crash.</summary>
    public static KnowledgeBase OpenForWriting(string folder)
    {
        try { return KnowledgeBase.Open(folder); }
        catch (IOException e) { throw new ServiceException(e.Message, ServiceErrorKind.Failure, e); }
    }
}
