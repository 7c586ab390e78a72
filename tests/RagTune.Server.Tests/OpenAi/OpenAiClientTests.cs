using System.Text;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using RagTune.Models.Clients;
using RagTune.Server.Tests.Support;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using OpenAiChatMessage = OpenAI.Chat.ChatMessage;

namespace RagTune.Server.Tests.OpenAi;

/// <summary>
/// The official OpenAI .NET client and Microsoft.Extensions.AI's OpenAI <see cref="IChatClient"/> against the real server:
/// models, chat (plain, streaming, logprobs), embeddings — each answer compared with the engine run in-process.
/// </summary>
public class OpenAiClientTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    const string Chat = "tiny-chat", Embed = "tiny-embed";
    static readonly string Question = "w1 w2 w3 w4 w5";

    static async Task<(string Text, int PromptTokens, int OutputTokens)> EngineAsync(string question, int maxTokens)
    {
        using var local = LocalClientFactory.CreateChatClient(ModelFolders.Chat);
        var response = await local.GetResponseAsync([new MeaiChatMessage(ChatRole.User, question)],
            new ChatOptions { Temperature = 0, MaxOutputTokens = maxTokens });
        return (response.Text, (int)response.Usage!.InputTokenCount!, (int)response.Usage.OutputTokenCount!);
    }

    [Fact]
    public async Task ModelsAreListedByFolderName()
    {
        var models = (await fixture.Server.OpenAi().GetOpenAIModelClient().GetModelsAsync()).Value;
        Assert.Equal([Chat, Embed], models.Select(m => m.Id).ToArray());
        Assert.All(models, m => Assert.Equal("ragtune", m.OwnedBy));
    }

    [Fact]
    public async Task ChatAnswersWhatTheEngineGeneratesWithUsage()
    {
        var expected = await EngineAsync(Question, 12);
        var chat = fixture.Server.OpenAi().GetChatClient(Chat);
        var completion = (await chat.CompleteChatAsync([new UserChatMessage(Question)],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 })).Value;

        Assert.True(expected.OutputTokens >= 3, $"the fixture should answer a few tokens, got {expected.OutputTokens}");
        Assert.Equal(expected.Text, completion.Content[0].Text);
        Assert.Equal(expected.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal(expected.OutputTokens, completion.Usage.OutputTokenCount);
        Assert.Equal(Chat, completion.Model);
        Assert.Equal(expected.OutputTokens == 12 ? OpenAI.Chat.ChatFinishReason.Length : OpenAI.Chat.ChatFinishReason.Stop, completion.FinishReason);
    }

    [Fact]
    public async Task StreamingChatConcatenatesToTheSameTextAndEndsWithUsage()
    {
        var expected = await EngineAsync(Question, 16);
        var chat = fixture.Server.OpenAi().GetChatClient(Chat);
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        var chunks = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(Question)],
                           new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 16 }))
        {
            chunks++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            usage = update.Usage ?? usage;
        }
        Assert.Equal(expected.Text, text.ToString());
        Assert.True(chunks > 2, $"expected a chunk per token, got {chunks}");
        Assert.NotNull(usage);
        Assert.Equal(expected.OutputTokens, usage.OutputTokenCount);
    }

    [Fact]
    public async Task ChatLogprobsListEveryTokenWithItsAlternatives()
    {
        var chat = fixture.Server.OpenAi().GetChatClient(Chat);
        var completion = (await chat.CompleteChatAsync([new UserChatMessage(Question)], new ChatCompletionOptions
        {
            Temperature = 0, MaxOutputTokenCount = 6, IncludeLogProbabilities = true, TopLogProbabilityCount = 3,
        })).Value;
        Assert.Equal(completion.Usage.OutputTokenCount, completion.ContentTokenLogProbabilities.Count);
        foreach (var token in completion.ContentTokenLogProbabilities)
        {
            Assert.Equal(3, token.TopLogProbabilities.Count);
            // Greedy: the chosen token is the most likely one.
            Assert.Equal(token.TopLogProbabilities[0].Token, token.Token);
            Assert.Equal(token.TopLogProbabilities[0].LogProbability, token.LogProbability, 5);
            Assert.True(token.LogProbability <= 0);
        }
    }

    [Fact]
    public async Task MicrosoftExtensionsAiChatClientWorksPlainAndStreaming()
    {
        var expected = await EngineAsync(Question, 10);
        IChatClient client = fixture.Server.OpenAi().GetChatClient(Chat).AsIChatClient();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 10 };
        var response = await client.GetResponseAsync([new MeaiChatMessage(ChatRole.User, Question)], options);
        Assert.Equal(expected.Text, response.Text);
        Assert.Equal(expected.OutputTokens, response.Usage!.OutputTokenCount);

        var streamed = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync([new MeaiChatMessage(ChatRole.User, Question)], options))
            streamed.Append(update.Text);
        Assert.Equal(expected.Text, streamed.ToString());
    }

    [Fact]
    public async Task EmbeddingsEqualTheEngineInBothClientsAndFormats()
    {
        using var local = LocalClientFactory.CreateEmbeddingGenerator(ModelFolders.Embed);
        string[] texts = ["w1 w2 w3", "w7 w8"];
        var expected = await local.GenerateAsync(texts);

        var embeddings = fixture.Server.OpenAi().GetEmbeddingClient(Embed);
        var one = (await embeddings.GenerateEmbeddingAsync(texts[0])).Value.ToFloats().ToArray(); // base64 on the wire
        Assert.Equal(expected[0].Vector.ToArray(), one, (a, b) => Math.Abs(a - b) < 1e-6f);

        IEmbeddingGenerator<string, Embedding<float>> generator = embeddings.AsIEmbeddingGenerator();
        var both = await generator.GenerateAsync(texts);
        for (var i = 0; i < texts.Length; i++)
            Assert.Equal(expected[i].Vector.ToArray(), both[i].Vector.ToArray(), (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.True(both.Usage?.InputTokenCount > 0);
    }
}
