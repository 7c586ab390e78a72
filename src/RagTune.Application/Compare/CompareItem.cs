namespace RagTune.Application.Compare;

/// <summary>
/// One test or training item of any task: qa <c>{"id","question","answers":[…]}</c> (or <c>"unanswerable":true</c>),
/// multiple-choice <c>{"id","question","options":[…],"answer_index"}</c>, classify <c>{"id","text","label"}</c>,
/// summarize <c>{"id","text","summary"}</c>. Optional <c>"document"</c> (or a list in <c>"gold_documents"</c>/<c>"documents"</c>): the gold document(s) (file name or id) for recall@k.
/// </summary>
public sealed record CompareItem
{
    /// <summary>Item id (the line number when the file has none).</summary>
    public required string Id { get; init; }
    /// <summary>The question (qa, multiple-choice) or the text (classify, summarize): what the model is given.</summary>
    public required string Input { get; init; }
    /// <summary>Reference answers / aliases (qa), the reference summary (summarize), the correct option (multiple-choice), the label (classify).</summary>
    public IReadOnlyList<string> Answers { get; init; } = [];
    /// <summary>qa: the question has no answer in the knowledge.</summary>
    public bool Unanswerable { get; init; }
    /// <summary>multiple-choice options.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
    /// <summary>multiple-choice: index of the correct option.</summary>
    public int AnswerIndex { get; init; }
    /// <summary>classify: the gold label.</summary>
    public string? Label { get; init; }
    /// <summary>Gold documents (file name, path or document id), when known: a retrieval hits when it returns any of them.</summary>
    public IReadOnlyList<string> Documents { get; init; } = [];
}
