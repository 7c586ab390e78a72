using System.Text.Json;

namespace RagTune.Server.Common;

/// <summary>Writes state files so that a crash leaves either the old or the new content, never a torn file (temp + rename).</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="value"/> as JSON to <paramref name="path"/> atomically.</summary>
    public static void WriteJson<T>(string path, T value, JsonSerializerOptions? options = null)
    {
        var temp = path + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, value, options ?? ApiJson.Options);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a JSON file written by <see cref="WriteJson{T}"/>; null when it is missing or unreadable.</summary>
    public static T? ReadJson<T>(string path, JsonSerializerOptions? options = null) where T : class
    {
        try { return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), options ?? ApiJson.Options) : null; }
        catch (JsonException) { return null; }
    }
}
