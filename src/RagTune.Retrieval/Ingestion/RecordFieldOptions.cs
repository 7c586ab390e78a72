namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// Which fields of a JSON / JSONL / CSV record are the text, the title, the id and the metadata. The first of
/// <see cref="TextFields"/> present is the text (all of them present are joined when <see cref="JoinTextFields"/>).
/// </summary>
public sealed record RecordFieldOptions
{
    /// <summary>Candidate text fields, in order. Default: text, content, body.</summary>
    public IReadOnlyList<string> TextFields { get; init; } = ["text", "content", "body"];

    /// <summary>Join every present text field (blank line between) instead of taking the first.</summary>
    public bool JoinTextFields { get; init; }

    /// <summary>Title field. Default: title.</summary>
    public string TitleField { get; init; } = "title";

    /// <summary>Record id fields, in order; the id becomes <c>path#id</c>. Default: id, _id (else the record number).</summary>
    public IReadOnlyList<string> IdFields { get; init; } = ["id", "_id"];

    /// <summary>Fields kept as filterable metadata; null keeps every other scalar field.</summary>
    public IReadOnlyList<string>? MetadataFields { get; init; }
}
