namespace RagTune.Retrieval.Store;

/// <summary>
/// Equality filters on document metadata, all of which must hold. Keys: <c>source</c> (file path), <c>doc</c>
/// (document id), <c>title</c>, <c>tag</c> (matches any one tag) and any metadata field a reader kept.
/// </summary>
public sealed record MetadataFilter(IReadOnlyDictionary<string, string> Conditions)
{
    /// <summary>A filter with one condition.</summary>
    public static MetadataFilter Where(string key, string value) => new(new Dictionary<string, string> { [key] = value });

    /// <summary>Parses <c>key=value</c> pairs (CLI <c>--filter</c>).</summary>
    public static MetadataFilter Parse(IEnumerable<string> pairs)
    {
        var conditions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new FormatException($"Filter '{pair}' is not key=value (e.g. tag=manual).");
            conditions[pair[..eq]] = pair[(eq + 1)..];
        }
        return new MetadataFilter(conditions);
    }
}
