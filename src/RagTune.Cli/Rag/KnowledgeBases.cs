using RagTune.Retrieval.Store;

namespace RagTune.Cli.Rag;

/// <summary>Opens knowledge bases for the verbs, turning store errors into user-facing ones.</summary>
internal static class KnowledgeBases
{
    /// <summary>For reading (search, ask, stats, eval): works while another process ingests.</summary>
    public static KnowledgeBase OpenForReading(string folder)
    {
        try { return KnowledgeBase.OpenReadOnly(folder); }
        catch (DirectoryNotFoundException e) { throw new UserFacingException(e.Message, ExitCode.NotFound, e); }
    }

    /// <summary>For writing (ingest): creates the folder, reconciles SQLite and Lucene after a crash.</summary>
    public static KnowledgeBase OpenForWriting(string folder)
    {
        try { return KnowledgeBase.Open(folder); }
        catch (IOException e) { throw new UserFacingException(e.Message, ExitCode.Failure, e); }
    }
}
