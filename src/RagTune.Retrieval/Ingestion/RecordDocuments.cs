namespace RagTune.Retrieval.Ingestion;

/// <summary>Builds a <see cref="SourceDocument"/> from one flat record (field → string) per <see cref="RecordFieldOptions"/>.</summary>
internal static class RecordDocuments
{
    public static SourceDocument? Create(string path, int recordNumber, IReadOnlyDictionary<string, string> fields, RecordFieldOptions options, string? idOverride = null)
    {
        var textFields = options.TextFields.Where(f => fields.TryGetValue(f, out var v) && !string.IsNullOrWhiteSpace(v)).ToList();
        if (textFields.Count == 0) return null;
        var text = options.JoinTextFields ? string.Join("\n\n", textFields.Select(f => fields[f])) : fields[textFields[0]];
        var id = idOverride ?? options.IdFields.Select(f => fields.GetValueOrDefault(f)).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        fields.TryGetValue(options.TitleField, out var title);
        var used = new HashSet<string>(textFields.Concat(options.IdFields).Append(options.TitleField), StringComparer.Ordinal);
        var metadata = fields.Where(p => !used.Contains(p.Key) && (options.MetadataFields is null || options.MetadataFields.Contains(p.Key)))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new SourceDocument($"{path}#{id ?? recordNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)}", path,
            string.IsNullOrWhiteSpace(title) ? $"{Path.GetFileName(path)} #{id ?? recordNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : title,
            text, TextDecoding.Paragraphs(text)) { Metadata = metadata };
    }
}
