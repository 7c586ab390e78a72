using RagTune.Application;
using RagTune.Models.Tests.Clients;
using RagTune.Retrieval.Generation;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Cli.Tests;

/// <summary>Grounded answering with the real local chat model (the llama3-style fixture, 256 positions, ChatML).</summary>
public class LocalChatRagTests
{
    [Fact]
    public async Task PromptFitsTheLocalModelAndTheAnswerStreams()
    {
        var model = ChatModelFolder.Create();
        var root = RagTune.Tests.TestPaths.NewTempDir("ragtune-chat");
        try
        {
            var docs = Path.Combine(root, "docs");
            Directory.CreateDirectory(docs);
            for (var d = 0; d < 6; d++)
                File.WriteAllText(Path.Combine(docs, $"d{d}.txt"), string.Join(' ', Enumerable.Range(0, 40).Select(i => $"w{(d * 40 + i) % 500}")) + " w7.");
            using var kb = KnowledgeBase.Open(Path.Combine(root, "kb"));
            await new KnowledgeBaseIngestor(kb).IngestAsync([docs]);

            using var chat = ModelClients.OpenChat(model);
            var counter = ModelClients.TokenCounter(model);
            var options = new GroundedAnswerOptions { ContextTokens = 256, AnswerTokens = 16, TokenCounter = counter, Retrieval = new RetrievalOptions { TopK = 6 } };
            var generator = new GroundedAnswerGenerator(new LuceneBm25Retriever(kb), chat, options);

            var prompt = await generator.BuildPromptAsync("w7 w41");
            Assert.InRange(prompt.Sources.Count, 1, 5); // six 41-word sources cannot all fit in 240 tokens
            Assert.True(prompt.PromptTokens <= 240, $"{prompt.PromptTokens} prompt tokens");

            var deltas = new List<string>();
            GroundedAnswer? answer = null;
            await foreach (var u in generator.AskStreamingAsync("w7 w41")) { deltas.Add(u.Delta); answer = u.Answer ?? answer; }
            Assert.NotNull(answer);
            Assert.Equal(answer!.Text, string.Concat(deltas).Trim());
            Assert.NotEmpty(answer.Sources);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(root, true); Directory.Delete(model, true); } catch (IOException) { }
        }
    }
}
