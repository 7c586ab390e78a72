using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Retrieval;

namespace RagTune.Retrieval.Generation;

/// <summary>
/// Retrieval-augmented answering: retrieve (top-k, filter, threshold) → abstain at once when nothing is retrieved →
/// grounded prompt within the context budget → any <see cref="IChatClient"/> (the engine's local model or a remote
/// one) → citations [n] mapped back to document, span and page. The model's own "not found" answer also abstains.
/// </summary>
public sealed class GroundedAnswerGenerator
{
    readonly IChunkRetriever _retriever;
    readonly IChatClient _chat;
    readonly GroundedAnswerOptions _options;
    readonly GroundedPromptBuilder _prompts;

    /// <summary>Answers with <paramref name="chat"/> from what <paramref name="retriever"/> finds.</summary>
    public GroundedAnswerGenerator(IChunkRetriever retriever, IChatClient chat, GroundedAnswerOptions? options = null)
    {
        _retriever = retriever ?? throw new ArgumentNullException(nameof(retriever));
        _chat = chat ?? throw new ArgumentNullException(nameof(chat));
        _options = options ?? new GroundedAnswerOptions();
        _prompts = new GroundedPromptBuilder(_options);
    }

    /// <summary>Retrieves and builds the prompt without calling the model (inspection, tests).</summary>
    public async Task<GroundedPrompt> BuildPromptAsync(string question, CancellationToken cancellationToken = default)
    {
        var retrieved = await _retriever.RetrieveAsync(question, _options.Retrieval, cancellationToken).ConfigureAwait(false);
        return _prompts.Build(question, retrieved);
    }

    /// <summary>The grounded answer to <paramref name="question"/>.</summary>
    public async Task<GroundedAnswer> AskAsync(string question, CancellationToken cancellationToken = default)
    {
        GroundedAnswer? answer = null;
        await foreach (var update in AskStreamingAsync(question, cancellationToken).ConfigureAwait(false)) answer = update.Answer ?? answer;
        return answer!;
    }

    /// <summary>Streams the answer's text as the model writes it; the last update carries the complete answer.</summary>
    public async IAsyncEnumerable<GroundedAnswerUpdate> AskStreamingAsync(string question, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = await BuildPromptAsync(question, cancellationToken).ConfigureAwait(false);
        if (prompt.Sources.Count == 0)
        {
            yield return new GroundedAnswerUpdate(_options.AbstainText, new GroundedAnswer(_options.AbstainText, [], [], Abstained: true));
            yield break;
        }
        var chatOptions = new ChatOptions { MaxOutputTokens = _options.AnswerTokens, Temperature = _options.Temperature };
        var text = new StringBuilder();
        await foreach (var update in _chat.GetStreamingResponseAsync(prompt.Messages, chatOptions, cancellationToken).ConfigureAwait(false))
        {
            var delta = update.Text;
            if (string.IsNullOrEmpty(delta)) continue;
            text.Append(delta);
            yield return new GroundedAnswerUpdate(delta);
        }
        var answer = text.ToString().Trim();
        var abstained = answer.Length == 0 || answer.Contains(_options.AbstainText.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
        var citations = abstained ? [] : CitationExtractor.Extract(answer, prompt.Sources);
        yield return new GroundedAnswerUpdate("", new GroundedAnswer(abstained && answer.Length == 0 ? _options.AbstainText : answer, citations, prompt.Sources, abstained));
    }
}
