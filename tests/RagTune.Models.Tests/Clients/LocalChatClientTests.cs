using Microsoft.Extensions.AI;
using RagTune.Models.Clients;
using RagTune.Models.Generation;
using RagTune.Models.Tokenization;

namespace RagTune.Models.Tests.Clients;

public sealed class LocalChatClientTests : IDisposable
{
    readonly string _dir = ChatModelFolder.Create();
    readonly LocalChatClient _client;
    static readonly ChatMessage[] Conversation = [new(ChatRole.System, "w1 w2"), new(ChatRole.User, "w3 w4 w5 w6")];

    public LocalChatClientTests() => _client = Assert.IsType<LocalChatClient>(LocalClientFactory.Create(_dir));

    /// <summary>What the generator produces for the rendered conversation, bypassing the client.</summary>
    (IReadOnlyList<int> Prompt, GenerationResult Result) Direct(GenerationOptions options)
    {
        var generator = (TextGenerator)_client.GetService(typeof(TextGenerator))!;
        var prompt = generator.Tokenizer!.Encode(
            "<|im_start|>system\nw1 w2<|im_end|>\n<|im_start|>user\nw3 w4 w5 w6<|im_end|>\n<|im_start|>assistant\n", addSpecialTokens: false);
        Assert.Equal(ChatModelFolder.ImStart, prompt[0]);
        return (prompt, generator.Generate(prompt, options));
    }

    [Fact]
    public async Task ResponseHasTheGeneratedTextUsageAndFinishReason()
    {
        var response = await _client.GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 6, Temperature = 0 });
        var (prompt, expected) = Direct(_client.Defaults with { MaxNewTokens = 6 });
        Assert.Equal(expected.Text, response.Text);
        Assert.Equal(prompt.Count, response.Usage!.InputTokenCount);
        Assert.Equal(expected.TokenIds.Count, response.Usage.OutputTokenCount);
        Assert.Equal(expected.FinishReason == GenerationFinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.False(string.IsNullOrWhiteSpace(response.Text));
    }

    [Fact]
    public async Task StreamingAddsUpToTheSameResponse()
    {
        var options = new ChatOptions { MaxOutputTokens = 8 };
        var response = await _client.GetResponseAsync(Conversation, options);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in _client.GetStreamingResponseAsync(Conversation, options)) updates.Add(u);
        var streamed = updates.ToChatResponse();
        Assert.Equal(response.Text, streamed.Text);
        Assert.Equal(response.FinishReason, updates[^1].FinishReason);
        var usage = updates[^1].Contents.OfType<UsageContent>().Single().Details;
        Assert.Equal(response.Usage!.OutputTokenCount, usage.OutputTokenCount);
        Assert.Equal(response.Usage.InputTokenCount, usage.InputTokenCount);
    }

    [Fact]
    public async Task StopSequenceTrimsTheText()
    {
        var (_, full) = Direct(_client.Defaults with { MaxNewTokens = 10 });
        var words = full.Text!.Split(' ');
        Assert.True(words.Length >= 4, $"need a longer greedy output, got '{full.Text}'");
        var response = await _client.GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 10, StopSequences = [words[3]] });
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(string.Join(' ', words[..3]) + " ", response.Text);
    }

    [Fact]
    public async Task SeededSamplingIsReproducible()
    {
        var options = new ChatOptions { MaxOutputTokens = 10, Temperature = 1.2f, TopK = 100, Seed = 7 };
        var first = await _client.GetResponseAsync(Conversation, options);
        var second = await _client.GetResponseAsync(Conversation, options);
        Assert.Equal(first.Text, second.Text);
    }

    [Fact]
    public void OptionsMapOntoGenerationOptions()
    {
        var mapped = _client.ToGenerationOptions(new ChatOptions
        {
            Temperature = 0.7f, TopP = 0.9f, TopK = 40, MaxOutputTokens = 33, StopSequences = ["END"], Seed = 5,
        });
        Assert.Equal(new GenerationOptions
        {
            Temperature = 0.7f, TopP = 0.9f, TopK = 40, MaxNewTokens = 33, Seed = 5,
            StopTokenIds = mapped.StopTokenIds, StopStrings = mapped.StopStrings,
        }, mapped);
        Assert.Equal(["END"], mapped.StopStrings);
        Assert.Equal([2, ChatModelFolder.ImEnd], mapped.StopTokenIds!.Order());
        Assert.Equal("chat-model", _client.GetService<ChatClientMetadata>()!.DefaultModelId![..10]);
    }

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
