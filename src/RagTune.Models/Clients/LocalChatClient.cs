using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using RagTune.Models.Generation;

namespace RagTune.Models.Clients;

/// <summary>
/// A local causal language model as a Microsoft.Extensions.AI <see cref="IChatClient"/>: messages are rendered with
/// the checkpoint's chat template, encoded, and continued by a <see cref="TextGenerator"/>. Calls run one at a time
/// (the CPU is the bottleneck; parallel calls would only share it).
/// </summary>
public sealed class LocalChatClient : IChatClient
{
    readonly TextGenerator _generator;
    readonly Func<IEnumerable<ChatMessage>, string> _renderPrompt;
    readonly GenerationOptions _defaults;
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly ChatClientMetadata _metadata;
    readonly IDisposable? _ownedModel;

    /// <param name="generator">The generator; it must have a tokenizer.</param>
    /// <param name="renderPrompt">Messages → prompt text with the generation prompt appended (a chat template).</param>
    /// <param name="modelId">Reported as <see cref="ChatResponse.ModelId"/> (e.g. the folder name or hub repo id).</param>
    /// <param name="defaults">Options used where <see cref="ChatOptions"/> says nothing (e.g. generation_config.json).</param>
    /// <param name="ownedModel">Disposed with the client (the factory hands over the model it loaded).</param>
    public LocalChatClient(TextGenerator generator, Func<IEnumerable<ChatMessage>, string> renderPrompt, string modelId,
        GenerationOptions? defaults = null, IDisposable? ownedModel = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(renderPrompt);
        if (generator.Tokenizer is null) throw new ArgumentException("The generator needs a tokenizer for chat.", nameof(generator));
        _generator = generator;
        _renderPrompt = renderPrompt;
        _defaults = defaults ?? new GenerationOptions();
        _metadata = new ChatClientMetadata("ragtune-local", null, modelId);
        _ownedModel = ownedModel;
    }

    /// <summary>The defaults calls start from.</summary>
    public GenerationOptions Defaults => _defaults;

    /// <summary>The generation options a call with <paramref name="options"/> uses.</summary>
    public GenerationOptions ToGenerationOptions(ChatOptions? options)
    {
        if (options is null) return _defaults;
        return _defaults with
        {
            Temperature = options.Temperature ?? _defaults.Temperature,
            TopP = options.TopP ?? _defaults.TopP,
            TopK = options.TopK ?? _defaults.TopK,
            MaxNewTokens = options.MaxOutputTokens ?? _defaults.MaxNewTokens,
            StopStrings = options.StopSequences is { Count: > 0 } stops ? [.. _defaults.StopStrings ?? [], .. stops] : _defaults.StopStrings,
            Seed = options.Seed ?? _defaults.Seed,
        };
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var prompt = Encode(messages);
        var generation = ToGenerationOptions(options);
        await _gate.WaitAsync(cancellationToken);
        GenerationResult result;
        try
        {
            result = await Task.Run(() => _generator.Generate(prompt, generation, cancellationToken), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Text))
        {
            ModelId = _metadata.DefaultModelId,
            ResponseId = Guid.NewGuid().ToString("N"),
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = ToFinishReason(result.FinishReason),
            Usage = Usage(prompt.Count, result.TokenIds.Count),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = Encode(messages);
        var generation = ToGenerationOptions(options);
        var responseId = Guid.NewGuid().ToString("N");
        var messageId = Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var generated = 0;
            await foreach (var update in _generator.GenerateStreamingAsync(prompt, generation, cancellationToken))
            {
                if (update.FinishReason != GenerationFinishReason.StopToken) generated++;
                var contents = new List<AIContent>();
                if (!string.IsNullOrEmpty(update.TextDelta)) contents.Add(new TextContent(update.TextDelta));
                if (update.FinishReason is { } finish) contents.Add(new UsageContent(Usage(prompt.Count, generated)));
                if (contents.Count == 0) continue;
                yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
                {
                    ResponseId = responseId,
                    MessageId = messageId,
                    ModelId = _metadata.DefaultModelId,
                    CreatedAt = created,
                    FinishReason = update.FinishReason is { } reason ? ToFinishReason(reason) : null,
                };
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    IReadOnlyList<int> Encode(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        // Chat templates write BOS themselves, so (as HF apply_chat_template) no special tokens are added here.
        return _generator.Tokenizer!.Encode(_renderPrompt(messages), addSpecialTokens: false);
    }

    static UsageDetails Usage(int input, int output) =>
        new() { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };

    static ChatFinishReason ToFinishReason(GenerationFinishReason reason) =>
        reason == GenerationFinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        if (serviceType.IsInstanceOfType(_generator)) return _generator;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gate.Dispose();
        _ownedModel?.Dispose();
    }
}
