using System.Globalization;
using System.Text.Json;

namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// .json (an object or an array of objects) and .jsonl (one object per line): one document per record, fields
/// mapped by <see cref="RecordFieldOptions"/>. Records without a text field are skipped; a malformed line is an error
/// for the file (the line number in the message).
/// </summary>
public sealed class JsonReader(RecordFieldOptions? options = null) : IDocumentReader
{
    readonly RecordFieldOptions _options = options ?? new RecordFieldOptions();

    /// <inheritdoc/>
    public IEnumerable<SourceDocument> Read(string path, byte[] bytes)
    {
        var text = TextDecoding.DecodeUtf8(path, bytes);
        var records = new List<Dictionary<string, string>>();
        if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            var lineNumber = 0;
            foreach (var line in text.Split('\n'))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                try { using var doc = JsonDocument.Parse(line); records.Add(Flatten(doc.RootElement)); }
                catch (JsonException e) { throw new InvalidDataException($"'{path}' line {lineNumber}: invalid JSON ({e.Message}).", e); }
            }
        }
        else
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Array) records.AddRange(doc.RootElement.EnumerateArray().Select(Flatten));
            else records.Add(Flatten(doc.RootElement));
        }
        for (var i = 0; i < records.Count; i++)
            if (RecordDocuments.Create(path, i + 1, records[i], _options) is { } document) yield return document;
    }

    /// <summary>Scalar fields as strings; arrays of scalars joined by ';' (tags); nested objects are skipped.</summary>
    internal static Dictionary<string, string> Flatten(JsonElement element)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.ValueKind != JsonValueKind.Object) return fields;
        foreach (var p in element.EnumerateObject())
        {
            var value = Scalar(p.Value) ?? (p.Value.ValueKind == JsonValueKind.Array
                ? string.Join(';', p.Value.EnumerateArray().Select(Scalar).Where(s => s is not null)) : null);
            if (value is not null) fields[p.Name] = value;
        }
        return fields;
    }

    static string? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}
