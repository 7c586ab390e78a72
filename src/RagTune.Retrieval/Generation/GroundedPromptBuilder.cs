using System.Text;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Retrieval;

namespace RagTune.Retrieval.Generation;

/// <summary>
/// Assembles a grounded prompt: a system message with the rules (answer only from the sources, cite [n], abstain
/// with a fixed sentence) and a user message with numbered sources and the question. Sources are added best first
/// while the prompt fits <c>ContextTokens − AnswerTokens</c> counted with the chat model's tokenizer; the first source
/// that does not fit is cut at a word boundary when a useful part (≥ 32 tokens) fits, and later ones are dropped.
/// </summary>
public sealed class GroundedPromptBuilder
{
    const int MinUsefulTokens = 32;
    readonly GroundedAnswerOptions _options;

    /// <summary>A builder with <paramref name="options"/> (budget, token counter, abstain text).</summary>
    public GroundedPromptBuilder(GroundedAnswerOptions? options = null)
    {
        _options = options ?? new GroundedAnswerOptions();
        _options.Validate();
    }

    /// <summary>The system message.</summary>
    public string SystemPrompt =>
        "You answer questions using only the numbered sources the user gives. Cite every statement with the number of " +
        "its source in square brackets, like [1] or [2][3]. Do not use outside knowledge. If the sources do not contain " +
        $"the answer, reply exactly: {_options.AbstainText}";

    /// <summary>How the question closes the user message (a follow-up question over the same sources is asked the same way).</summary>
    public static string QuestionPart(string question) => $"Question: {question}\nAnswer with citations:";

    /// <summary>The prompt for <paramref name="question"/> over <paramref name="retrieved"/> (best first).</summary>
    public GroundedPrompt Build(string question, IReadOnlyList<RetrievedChunk> retrieved)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        ArgumentNullException.ThrowIfNull(retrieved);
        var counter = _options.TokenCounter;
        var questionPart = QuestionPart(question);
        var used = counter.Count(SystemPrompt) + counter.Count("Sources:\n\n" + questionPart) + 2 * _options.TemplateTokensPerMessage;
        var budget = _options.ContextTokens - _options.AnswerTokens;
        if (used > budget)
            throw new ArgumentException($"The question alone needs {used} tokens, over the prompt budget of {budget} (context {_options.ContextTokens} − answer {_options.AnswerTokens}). HINT: shorten the question or raise ContextTokens.", nameof(question));
        var sources = new List<NumberedSource>();
        var body = new StringBuilder("Sources:\n");
        foreach (var hit in retrieved)
        {
            var number = sources.Count + 1;
            var header = $"\n[{number}] {hit.Chunk.Title}{(hit.Chunk.Page is { } p ? $" (page {p})" : "")}\n";
            var text = hit.Chunk.Text;
            var cost = counter.Count(header) + counter.Count(text);
            if (used + cost > budget)
            {
                var room = budget - used - counter.Count(header);
                if (room < MinUsefulTokens) break;
                text = Truncate(text, room);
                if (text.Length == 0) break;
                cost = counter.Count(header) + counter.Count(text);
            }
            body.Append(header).Append(text).Append('\n');
            used += cost;
            sources.Add(new NumberedSource(number, hit, text, hit.Chunk.Start, hit.Chunk.Start + text.Length));
        }
        body.Append('\n').Append(questionPart);
        var messages = new List<ChatMessage> { new(ChatRole.System, SystemPrompt), new(ChatRole.User, body.ToString()) };
        return new GroundedPrompt(messages, sources, used);
    }

    /// <summary>The longest prefix ending at a word boundary that counts ≤ <paramref name="tokens"/> (binary search over word ends).</summary>
    string Truncate(string text, int tokens)
    {
        var ends = new List<int>();
        for (var i = 1; i <= text.Length; i++)
            if (i == text.Length || (char.IsWhiteSpace(text[i]) && !char.IsWhiteSpace(text[i - 1]))) ends.Add(i);
        int lo = 0, hi = ends.Count - 1, best = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (_options.TokenCounter.Count(text[..ends[mid]]) <= tokens) { best = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return best < 0 ? "" : text[..ends[best]];
    }
}
