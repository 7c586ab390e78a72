using System.Text.Json;

namespace RagTune.Training.Data;

/// <summary>Reads JSONL records, failing with the file, line number and field of the first bad record.</summary>
public static class JsonlReader
{
    /// <summary>One parsed line: its 1-based line number and its JSON object.</summary>
    public readonly record struct Record(int Line, JsonElement Json);

    /// <summary>Every non-blank line of <paramref name="path"/> as a JSON object.</summary>
    public static List<Record> Read(string path)
    {
        if (!File.Exists(path)) throw new DatasetException($"{path}: file not found. HINT: pass a JSONL file with one JSON object per line.");
        var records = new List<Record>();
        var lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException e) { throw new DatasetException($"{path}:{lineNo}: malformed JSON ({e.Message})."); }
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new DatasetException($"{path}:{lineNo}: expected a JSON object, got {doc.RootElement.ValueKind}.");
            records.Add(new Record(lineNo, doc.RootElement.Clone()));
        }
        if (records.Count == 0) throw new DatasetException($"{path}: the file has no records. HINT: one JSON object per line.");
        return records;
    }

    /// <summary>The string field <paramref name="field"/> of a record, or an error naming it.</summary>
    public static string RequireString(Record r, string field, string path)
    {
        if (!r.Json.TryGetProperty(field, out var v))
            throw new DatasetException($"{path}:{r.Line}: missing field \"{field}\".");
        if (v.ValueKind == JsonValueKind.Number) return v.GetRawText();
        if (v.ValueKind != JsonValueKind.String)
            throw new DatasetException($"{path}:{r.Line}: field \"{field}\" must be a string, got {v.ValueKind}.");
        return v.GetString()!;
    }
}
