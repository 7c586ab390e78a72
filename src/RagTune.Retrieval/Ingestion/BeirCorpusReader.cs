using System.Text.Json;

namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// BEIR <c>corpus.jsonl</c>: one <c>{"_id", "title", "text"}</c> object per line. The document id is the corpus id
/// itself (what qrels name), and the title is indexed as the document's heading above its text, as BEIR's
/// baselines index title + text.
/// </summary>
public sealed class BeirCorpusReader : IDocumentReader
{
    /// <inheritdoc/>
    public IEnumerable<SourceDocument> Read(string path, byte[] bytes)
    {
        var text = TextDecoding.DecodeUtf8(path, bytes);
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            Dictionary<string, string> fields;
            try { using var doc = JsonDocument.Parse(line); fields = JsonReader.Flatten(doc.RootElement); }
            catch (JsonException e) { throw new InvalidDataException($"'{path}' line {lineNumber}: invalid JSON ({e.Message}).", e); }
            if (!fields.TryGetValue("_id", out var id) || string.IsNullOrEmpty(id))
                throw new InvalidDataException($"'{path}' line {lineNumber}: no \"_id\"; a BEIR corpus line is {{\"_id\", \"title\", \"text\"}}.");
            var builder = new DocumentTextBuilder();
            var title = fields.GetValueOrDefault("title") ?? "";
            if (title.Length > 0) builder.AddHeading(title, 1);
            builder.AddParagraph(fields.GetValueOrDefault("text") ?? "");
            if (builder.Text.Length == 0) continue;
            yield return new SourceDocument(id, path, title.Length > 0 ? title : id, builder.Text, builder.Blocks);
        }
    }
}
