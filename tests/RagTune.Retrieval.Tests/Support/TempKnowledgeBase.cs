using RagTune.Retrieval.Store;

namespace RagTune.Retrieval.Tests.Support;

/// <summary>A knowledge base in a fresh temp folder, plus a docs folder to write source files into; deleted on dispose.</summary>
internal sealed class TempKnowledgeBase : IDisposable
{
    public TempKnowledgeBase()
    {
        Root = RagTune.Tests.TestPaths.NewTempDir("ragtune-kb");
        Docs = Path.Combine(Root, "docs");
        Directory.CreateDirectory(Docs);
        Folder = Path.Combine(Root, "kb");
        Kb = KnowledgeBase.Open(Folder);
    }

    public string Root { get; }
    public string Docs { get; }
    public string Folder { get; }
    public KnowledgeBase Kb { get; private set; }

    public string Write(string name, string text)
    {
        var path = Path.Combine(Docs, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(Docs, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public KnowledgeBase Reopen()
    {
        Kb.Dispose();
        return Kb = KnowledgeBase.Open(Folder);
    }

    public void Dispose()
    {
        Kb.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
