using System.Collections.Concurrent;
using RagTune.Retrieval.Store;
using RagTune.Server.Common;

namespace RagTune.Server.KnowledgeBases;

/// <summary>
/// The knowledge bases: created ones under <c>DataDirectory/knowledge-bases/&lt;name&gt;</c> (<c>store/</c> and <c>files/</c>),
/// plus the <c>--kb</c> folders given at start (named after their folder; their uploads go to
/// <c>DataDirectory/kb-uploads/&lt;name&gt;</c>). Names are validated and every path is checked to stay in its root.
/// One writer per knowledge base at a time (<see cref="WriterGate"/>), matching the store's single-writer rule.
/// </summary>
public sealed class KnowledgeBaseRegistry
{
    readonly string _root;
    readonly string _externalUploads;
    readonly Dictionary<string, KnowledgeBaseInfo> _external = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    readonly Lock _createLock = new();

    /// <summary>Registers the <c>--kb</c> folders of <paramref name="options"/>; fails on a folder whose name is not a valid name.</summary>
    public KnowledgeBaseRegistry(ServerOptions options)
    {
        _root = Path.Combine(Path.GetFullPath(options.DataDirectory), "knowledge-bases");
        _externalUploads = Path.Combine(Path.GetFullPath(options.DataDirectory), "kb-uploads");
        Directory.CreateDirectory(_root);
        foreach (var folder in options.KnowledgeBases)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
            var name = Path.GetFileName(full);
            if (!SafeNames.IsValidName(name))
                throw new ArgumentException($"--kb '{folder}': the folder name '{name}' is not usable as a knowledge-base name (letters, digits, '.', '_', '-'). HINT: rename the folder.");
            _external[name] = new KnowledgeBaseInfo(name, full, SafeNames.Inside(_externalUploads, name), External: true);
        }
    }

    /// <summary>All knowledge bases, external first, then created ones by name.</summary>
    public IReadOnlyList<KnowledgeBaseInfo> List()
    {
        var created = Directory.EnumerateDirectories(_root).Select(Path.GetFileName)
            .Where(n => SafeNames.IsValidName(n) && !_external.ContainsKey(n!) && File.Exists(Path.Combine(_root, n!, "store", "kb.sqlite")))
            .Order(StringComparer.Ordinal).Select(n => Created(n!));
        return [.. _external.Values.OrderBy(k => k.Name, StringComparer.Ordinal), .. created];
    }

    /// <summary>The knowledge base <paramref name="name"/>, or a 404 (400 for a name that is not valid).</summary>
    public KnowledgeBaseInfo Get(string? name)
    {
        SafeNames.RequireName(name, "knowledge_base");
        if (_external.TryGetValue(name!, out var external)) return external;
        var info = Created(name!);
        if (!File.Exists(Path.Combine(info.StoreFolder, "kb.sqlite")))
            throw ApiError.NotFound($"The knowledge base '{name}' does not exist. Known: {string.Join(", ", List().Select(k => k.Name))}.", "knowledge_base", "knowledge_base_not_found");
        return info;
    }

    /// <summary>Creates an empty knowledge base; 409 when the name is taken.</summary>
    public KnowledgeBaseInfo Create(string? name)
    {
        SafeNames.RequireName(name, "name");
        lock (_createLock)
        {
            var info = Created(name!);
            if (_external.ContainsKey(name!) || File.Exists(Path.Combine(info.StoreFolder, "kb.sqlite")))
                throw ApiError.Conflict($"A knowledge base named '{name}' already exists.", "name", "knowledge_base_exists");
            Directory.CreateDirectory(info.FilesFolder);
            // Opening for writing creates kb.sqlite and an empty Lucene commit, so readers can open it at once.
            using (KnowledgeBase.Open(info.StoreFolder)) { }
            return info;
        }
    }

    /// <summary>Deletes a created knowledge base with its files (waits for a running ingest); 403 for a <c>--kb</c> folder.</summary>
    public async Task DeleteAsync(string? name, CancellationToken cancellationToken)
    {
        var info = Get(name);
        if (info.External)
            throw new ApiError(403, $"The knowledge base '{name}' was given with --kb at start; the server does not delete folders it did not create.", "knowledge_base", "knowledge_base_external");
        var gate = WriterGate(info.Name);
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Rename first so a half-deleted folder is never listed as a knowledge base.
            var doomed = SafeNames.Inside(_root, $".deleting-{info.Name}-{Guid.NewGuid():N}");
            Directory.Move(Path.GetDirectoryName(info.StoreFolder)!, doomed);
            Directory.Delete(doomed, recursive: true);
        }
        finally { gate.Release(); }
    }

    /// <summary>The gate every writer of <paramref name="name"/> holds while writing.</summary>
    public SemaphoreSlim WriterGate(string name) => _gates.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));

    KnowledgeBaseInfo Created(string name)
    {
        var folder = SafeNames.Inside(_root, name);
        return new KnowledgeBaseInfo(name, Path.Combine(folder, "store"), Path.Combine(folder, "files"), External: false);
    }
}
