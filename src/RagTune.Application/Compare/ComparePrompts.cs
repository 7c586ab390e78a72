using Microsoft.Extensions.AI;

namespace RagTune.Application.Compare;

/// <summary>
/// The prompts of the arms that do not retrieve (closed book, classification, summarisation) and of classification
/// with retrieved examples. The training data of ft-task uses the very same prompts, so training and testing match.
/// RAG arms use the product's grounded-answer prompt (<c>GroundedPromptBuilder</c>), as <c>ragtune ask</c> does.
/// </summary>
public static class ComparePrompts
{
    /// <summary>What a closed-book answer says when the model does not know.</summary>
    public const string DontKnow = "I don't know.";

    /// <summary>Closed-book question answering (qa, multiple-choice).</summary>
    public static List<ChatMessage> ClosedBook(string question) =>
    [
        new(ChatRole.System, $"Answer the question in a few words. If you do not know the answer, reply exactly: {DontKnow}"),
        new(ChatRole.User, question),
    ];

    /// <summary>Zero-shot classification into <paramref name="labels"/>.</summary>
    public static List<ChatMessage> Classify(string text, IReadOnlyList<string> labels) =>
    [
        new(ChatRole.System, $"Classify the text. Reply with one label: {string.Join(", ", labels)}."),
        new(ChatRole.User, text),
    ];

    /// <summary>Classification with the nearest labelled training examples in the prompt (the classify task's rag arm).</summary>
    public static List<ChatMessage> ClassifyWithExamples(string text, IReadOnlyList<string> labels, IReadOnlyList<(string Text, string Label)> examples) =>
    [
        new(ChatRole.System, $"Classify the text. Reply with one label: {string.Join(", ", labels)}. Similar labelled examples:\n" +
                             string.Join("\n", examples.Select(e => $"Text: {e.Text}\nLabel: {e.Label}"))),
        new(ChatRole.User, text),
    ];

    /// <summary>Summarisation.</summary>
    public static List<ChatMessage> Summarize(string text) =>
    [
        new(ChatRole.System, "Summarize the text in one or two sentences."),
        new(ChatRole.User, text),
    ];

    /// <summary>Asks for a rewrite of a passage (ft-paraphrase when no rewrites are given).</summary>
    public static List<ChatMessage> Paraphrase(string text) =>
    [
        new(ChatRole.System, "Rewrite the passage in different words. Keep every fact, name and number."),
        new(ChatRole.User, text),
    ];
}
