using System.Text.RegularExpressions;

namespace RagTune.Models.Hub;

/// <summary>
/// Paths of one model repo in the Hugging Face hub cache layout, as <c>huggingface_hub</c> writes it:
/// <c>models--org--name/blobs/&lt;etag&gt;</c> (content, named by ETag: sha256 for LFS files, git sha1 otherwise),
/// <c>snapshots/&lt;commit&gt;/&lt;file&gt;</c> (relative symlinks into blobs), <c>refs/&lt;revision&gt;</c> (the commit).
/// </summary>
internal sealed partial class HubCache(string cacheDirectory, string repoId)
{
    public string RepoDirectory { get; } = Path.Combine(cacheDirectory, "models--" + repoId.Replace("/", "--"));
    public string BlobsDirectory => Path.Combine(RepoDirectory, "blobs");

    public string Blob(string etag) => Path.Combine(BlobsDirectory, etag);
    public string Snapshot(string commit) => Path.Combine(RepoDirectory, "snapshots", commit);
    public string Ref(string revision) => Path.Combine(RepoDirectory, "refs", revision);

    /// <summary>The commit a revision names in the cache: the revision itself when it is a commit hash, else refs/.</summary>
    public string? ResolveCommit(string revision)
    {
        if (IsCommitHash(revision)) return revision;
        var refFile = Ref(revision);
        return File.Exists(refFile) ? File.ReadAllText(refFile).Trim() : null;
    }

    /// <summary>The cached snapshot folder for a revision, or null.</summary>
    public string? FindSnapshot(string revision) =>
        ResolveCommit(revision) is { } commit && Directory.Exists(Snapshot(commit)) ? Snapshot(commit) : null;

    public void WriteRef(string revision, string commit)
    {
        if (revision == commit) return;
        var path = Ref(revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, commit);
    }

    /// <summary>
    /// Points <c>snapshots/&lt;commit&gt;/&lt;file&gt;</c> at the blob with a relative symlink (what the hub cache
    /// uses, so blobs shared by revisions are stored once), or copies it where symlinks are not allowed.
    /// </summary>
    public void LinkIntoSnapshot(string commit, string file, string blobPath)
    {
        var target = Path.Combine(Snapshot(commit), file.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target) || Directory.Exists(target)) File.Delete(target);
        try
        {
            File.CreateSymbolicLink(target, Path.GetRelativePath(Path.GetDirectoryName(target)!, blobPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blobPath, target, overwrite: true);
        }
    }

    public static bool IsCommitHash(string revision) => CommitHash().IsMatch(revision);

    /// <summary>True for <c>org/name</c> or <c>name</c> shapes that are not an existing local path.</summary>
    public static bool LooksLikeRepoId(string value) =>
        !Directory.Exists(value) && !File.Exists(value) && RepoId().IsMatch(value);

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();

    [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9_.\-]*/)?[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
    private static partial Regex RepoId();
}
