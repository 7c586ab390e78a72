using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace RagTune.Retrieval.Tests.Support;

/// <summary>A chat client whose answer is computed from the prompt by the test (e.g. quote source [2]); records the prompt.</summary>
internal sealed class ScriptedChatClient(Func<IReadOnlyList<ChatMessage>, string> answer) : IChatClient
{
    public List<IReadOnlyList<ChatMessage>> Prompts { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        Prompts.Add(list);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer(list))));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        Prompts.Add(list);
        var text = answer(list);
        // Stream word by word so the test sees several deltas.
        foreach (var piece in System.Text.RegularExpressions.Regex.Split(text, @"(?<=\s)"))
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() { }
}
