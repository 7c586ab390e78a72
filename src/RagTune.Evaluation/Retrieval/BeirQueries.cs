using System.Text.Json;

namespace RagTune.Evaluation.Retrieval;

/// <summary>Reads BEIR <c>queries.jsonl</c>: one JSON object per line with <c>_id</c> and <c>text</c>.</summary>
public static class BeirQueries
{
    /// <summary>The queries of <paramref name="path"/> in file order. Blank lines are skipped; other fields
    /// (e.g. <c>metadata</c>) are ignored.</summary>
    /// <exception cref="InvalidDataException">A line is not an object with <c>_id</c> and <c>text</c>, or an id
    /// repeats; the message names file and line.</exception>
    public static IReadOnlyList<BeirQuery> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Queries file '{path}' does not exist.", path);
        var queries = new List<BeirQuery>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string? id, text;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("_id", out var i) ? Scalar(i) : null;
                text = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: not valid JSON ({e.Message}). Expected one {{\"_id\": …, \"text\": …}} object per line.", e);
            }
            if (string.IsNullOrEmpty(id) || text is null)
                throw new InvalidDataException($"{path}:{lineNumber}: expected an object with string \"_id\" and \"text\" (BEIR queries.jsonl).");
            if (!seen.Add(id))
                throw new InvalidDataException($"{path}:{lineNumber}: query id '{id}' appears twice.");
            queries.Add(new BeirQuery(id, text));
        }
        return queries;
    }

    // Some BEIR ports write numeric ids; qrels treat them as text, so compare them as text too.
    static string? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        _ => null,
    };
}
