using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RagTune.Training.Embeddings;

/// <summary>One retrieval training example: a query, a passage that answers it and optionally a hard negative.</summary>
/// <param name="Query">The search query.</param>
/// <param name="Positive">A passage relevant to the query.</param>
/// <param name="Negative">A passage that looks relevant but is not (optional).</param>
public sealed record EmbeddingPair(string Query, string Positive, string? Negative = null)
{
    /// <summary>Reads JSONL lines <c>{"query": …, "positive": …, "negative"?: …}</c>; a bad line raises <see cref="InvalidDataException"/> naming file and line.</summary>
    public static List<EmbeddingPair> ReadJsonl(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        var pairs = new List<EmbeddingPair>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonObject o;
            try { o = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object"); }
            catch (JsonException e) { throw new InvalidDataException($"{path}:{lineNumber}: not a JSON object ({e.Message}).", e); }
            string? Text(string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            var query = Text("query");
            var positive = Text("positive");
            if (string.IsNullOrWhiteSpace(query) || string.IsNullOrWhiteSpace(positive))
                throw new InvalidDataException($"{path}:{lineNumber}: expected string fields \"query\" and \"positive\" (and optionally \"negative\").");
            pairs.Add(new EmbeddingPair(query, positive, Text("negative")));
        }
        if (pairs.Count == 0) throw new InvalidDataException($"{path}: no pairs.");
        return pairs;
    }

    /// <summary>Writes <paramref name="pairs"/> as JSONL (atomically: temp file, then rename).</summary>
    public static void WriteJsonl(string path, IEnumerable<EmbeddingPair> pairs)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + $".{Guid.NewGuid():N}.tmp";
        using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)))
            foreach (var p in pairs)
            {
                var o = new JsonObject { ["query"] = p.Query, ["positive"] = p.Positive };
                if (p.Negative is not null) o["negative"] = p.Negative;
                writer.WriteLine(o.ToJsonString());
            }
        File.Move(temp, full, overwrite: true);
    }
}
