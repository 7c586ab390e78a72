using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using RagTune.Models;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using static TorchSharp.torch;

namespace RagTune.Evaluation.Comparison;

/// <summary>
/// STAND-IN for <c>RagTune.Models.Clients.LocalChatClient</c> (branch <c>generation</c>, not in main yet): renders the
/// messages with the chat template and decodes greedily with a KV cache until <c>&lt;/s&gt;</c>. Delete once the real
/// client is in main.
/// </summary>
internal sealed class StandInGreedyChatClient(ICausalLanguageModel model, ITokenizer tokenizer, ChatTemplate template, int maxNewTokens = 8) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = tokenizer.Encode(template.Render(messages, addGenerationPrompt: true), addSpecialTokens: false);
        var maxNew = options?.MaxOutputTokens ?? maxNewTokens;
        var eos = tokenizer.EosTokenId;
        var generated = new List<int>();
        using (no_grad())
        using (var cache = model.CreateCache(1, prompt.Count + maxNew))
        using (var scope = NewDisposeScope())
        {
            var input = tensor(prompt.Select(i => (long)i).ToArray(), [1, prompt.Count]);
            for (var step = 0; step < maxNew; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var logits = model.Forward(input, cache: cache);                  // (1, T, V)
                var next = (int)logits[0, -1].argmax().item<long>();
                if (next == eos) break;
                generated.Add(next);
                input = tensor(new long[] { next }, [1, 1]);
            }
        }
        var text = tokenizer.Decode(generated, skipSpecialTokens: true);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            Usage = new UsageDetails { InputTokenCount = prompt.Count, OutputTokenCount = generated.Count },
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
