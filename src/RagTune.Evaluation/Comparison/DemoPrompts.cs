using Microsoft.Extensions.AI;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using RagTune.Training.Data;

namespace RagTune.Evaluation.Comparison;

/// <summary>
/// The demo's prompts as chat messages (rendered by the model's chat template, as every client does), and the
/// supervised examples built from them: loss only on the answer and the end-of-sequence token.
/// </summary>
public static class DemoPrompts
{
    /// <summary>The words the prompts add to the domain's own (for the tokenizer's vocabulary).</summary>
    public const string Vocabulary = "context: question: answer:";

    /// <summary>A question asked without sources (closed book).</summary>
    public static IReadOnlyList<ChatMessage> ClosedBook(string question) => [new(ChatRole.User, $"question: {question}")];

    /// <summary>A question asked with retrieved context (open book).</summary>
    public static IReadOnlyList<ChatMessage> OpenBook(string context, string question) =>
        [new(ChatRole.User, $"context: {context} question: {question}")];

    /// <summary>
    /// Token ids of the rendered prompt followed by the answer and <c>&lt;/s&gt;</c>, with labels −100 on the prompt
    /// (the loss is only on what the model should say).
    /// </summary>
    public static TrainingExample Example(ITokenizer tokenizer, ChatTemplate template, IReadOnlyList<ChatMessage> messages, string answer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(template);
        var prompt = tokenizer.Encode(template.Render(messages, addGenerationPrompt: true), addSpecialTokens: false);
        var eos = tokenizer.EosTokenId ?? throw new InvalidOperationException("The demo tokenizer has no eos_token.");
        var completion = tokenizer.Encode(answer, addSpecialTokens: false).Append(eos).ToArray();
        var ids = prompt.Concat(completion).ToArray();
        var labels = Enumerable.Repeat(TrainingExample.IgnoreIndex, prompt.Count).Concat(completion).ToArray();
        return new TrainingExample(ids, labels);
    }

    /// <summary>Whether a generated answer equals the expected value (case, spaces and end punctuation ignored).</summary>
    public static bool IsCorrect(string? generated, string expected) =>
        string.Equals(Normalize(generated), Normalize(expected), StringComparison.OrdinalIgnoreCase);

    static string Normalize(string? s) => (s ?? "").Trim().TrimEnd('.', '!', '?').Trim();
}
