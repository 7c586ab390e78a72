using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RagTune.Server.Common;

namespace RagTune.Server.FineTuning;

/// <summary>
/// <c>/v1/files</c> storage under <c>DataDirectory/files/&lt;file-id&gt;/</c> (<c>file.json</c> + <c>content</c>). Only
/// purpose <c>fine-tune</c> is accepted; its content must be JSONL whose every line is an object with <c>messages</c>,
/// <c>prompt</c>+<c>completion</c>, or <c>text</c> (the shapes <c>ragtune finetune</c> reads), checked at upload with
/// the line number of the first bad line. The client's file name is only metadata: paths come from generated ids.
/// </summary>
public sealed class FileStore(ServerOptions options)
{
    /// <summary>The purposes accepted.</summary>
    public static readonly string[] Purposes = ["fine-tune"];

    readonly string _root = Path.Combine(Path.GetFullPath(options.DataDirectory), "files");

    /// <summary>Validates and stores an upload.</summary>
    public async Task<StoredFile> AddAsync(IFormFile? file, string? purpose, CancellationToken cancellationToken)
    {
        if (file is null) throw ApiError.BadRequest("Missing the 'file' part of the multipart upload.", "file", "missing_file");
        if (purpose is null || !Purposes.Contains(purpose))
            throw ApiError.BadRequest($"'purpose' must be one of {string.Join(", ", Purposes)}, got '{purpose}'.", "purpose", "invalid_purpose");
        var name = SafeNames.RequireFileName(file.FileName, "file");
        if (!name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            throw new ApiError(StatusCodes.Status415UnsupportedMediaType, $"'{name}': fine-tuning files must be JSONL (.jsonl).", "file", "unsupported_file_type");
        if (file.Length > options.MaxUploadBytes) throw ApiError.TooLarge($"'{name}' has {file.Length:N0} bytes, over the limit of {options.MaxUploadBytes:N0}.", "file");
        var id = "file-" + Guid.NewGuid().ToString("N")[..24];
        var folder = SafeNames.Inside(_root, id);
        var staging = folder + ".part";
        Directory.CreateDirectory(staging);
        try
        {
            var content = Path.Combine(staging, "content");
            await using (var stream = new FileStream(content, FileMode.CreateNew))
                await file.CopyToAsync(stream, cancellationToken);
            Validate(content, name);
            var stored = new StoredFile(id, file.Length, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), name, purpose);
            AtomicFile.WriteJson(Path.Combine(staging, "file.json"), stored);
            Directory.Move(staging, folder);
            return stored;
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>All files, newest first.</summary>
    public IReadOnlyList<StoredFile> List() => !Directory.Exists(_root) ? [] :
        Directory.EnumerateDirectories(_root).Where(d => !d.EndsWith(".part", StringComparison.Ordinal))
            .Select(d => AtomicFile.ReadJson<StoredFile>(Path.Combine(d, "file.json"))).OfType<StoredFile>()
            .OrderByDescending(f => f.CreatedAt).ThenBy(f => f.Id, StringComparer.Ordinal).ToList();

    /// <summary>The file <paramref name="id"/>, or a 404.</summary>
    public StoredFile Get(string? id, string param = "file_id")
    {
        if (!IsFileId(id)) throw ApiError.NotFound($"No such file: '{id}'.", param, "file_not_found");
        return AtomicFile.ReadJson<StoredFile>(Path.Combine(_root, id!, "file.json")) ?? throw ApiError.NotFound($"No such file: '{id}'.", param, "file_not_found");
    }

    /// <summary>Path of the content of file <paramref name="id"/> (after <see cref="Get"/> succeeded).</summary>
    public string ContentPath(string id) => Path.Combine(SafeNames.Inside(_root, Get(id).Id), "content");

    /// <summary>Deletes file <paramref name="id"/>.</summary>
    public void Delete(string? id)
    {
        var file = Get(id);
        Directory.Delete(SafeNames.Inside(_root, file.Id), recursive: true);
    }

    static bool IsFileId(string? id) => id is { Length: 29 } && id.StartsWith("file-", StringComparison.Ordinal) && id[5..].All(char.IsAsciiHexDigitLower);

    /// <summary>The task <c>ragtune finetune</c> needs for the file's records: sft (messages, prompt/completion) or causal (text).</summary>
    public static string Task(string path)
    {
        using var first = JsonDocument.Parse(File.ReadLines(path).First(l => l.Trim().Length > 0));
        return first.RootElement.TryGetProperty("text", out _) && !first.RootElement.TryGetProperty("messages", out _) ? "causal" : "sft";
    }

    static void Validate(string path, string name)
    {
        var line = 0;
        var records = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Trim().Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var r = doc.RootElement;
                var ok = r.ValueKind == JsonValueKind.Object &&
                         ((r.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Array) ||
                          (r.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.String && r.TryGetProperty("completion", out var c) && c.ValueKind == JsonValueKind.String) ||
                          (r.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String));
                if (!ok) throw ApiError.BadRequest($"'{name}' line {line}: expected an object with \"messages\" (array), \"prompt\"+\"completion\" or \"text\".", "file", "invalid_file_format");
            }
            catch (JsonException e)
            {
                throw ApiError.BadRequest($"'{name}' line {line} is not JSON: {e.Message}", "file", "invalid_file_format");
            }
            records++;
        }
        if (records == 0) throw ApiError.BadRequest($"'{name}' has no records.", "file", "invalid_file_format");
    }
}
