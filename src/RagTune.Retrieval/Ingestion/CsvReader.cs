using System.Text;

namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// .csv (RFC 4180: quoted fields, doubled quotes, newlines inside quotes) with a header row: one document per
/// row, fields mapped by <see cref="RecordFieldOptions"/>. Without a configured text column every column becomes
/// "name: value" lines so nothing is lost.
/// </summary>
public sealed class CsvReader(RecordFieldOptions? options = null) : IDocumentReader
{
    readonly RecordFieldOptions _options = options ?? new RecordFieldOptions();

    /// <inheritdoc/>
    public IEnumerable<SourceDocument> Read(string path, byte[] bytes)
    {
        var rows = Parse(TextDecoding.DecodeUtf8(path, bytes));
        if (rows.Count == 0) yield break;
        var header = rows[0];
        for (var r = 1; r < rows.Count; r++)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var c = 0; c < header.Count && c < rows[r].Count; c++) fields[header[c]] = rows[r][c];
            if (fields.Count == 0 || fields.Values.All(string.IsNullOrWhiteSpace)) continue;
            var options = _options;
            if (!_options.TextFields.Any(fields.ContainsKey))
            {
                fields["__row"] = string.Join("\n", header.Where(fields.ContainsKey).Select(h => $"{h}: {fields[h]}"));
                options = _options with { TextFields = ["__row"] };
            }
            if (RecordDocuments.Create(path, r, fields, options) is { } document) yield return document;
        }
    }

    internal static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                row.Add(field.ToString()); field.Clear();
                if (row.Count > 1 || row[0].Length > 0) rows.Add(row);
                row = [];
            }
            else field.Append(c);
        }
        if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add(row); }
        return rows;
    }
}
