using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RagTune.Server.Tests.Support;

namespace RagTune.Server.Tests.KnowledgeBases;

/// <summary>The knowledge-base endpoints end to end on a real server: create, upload → ingest, documents, search, ask (plain and SSE), delete.</summary>
public sealed class KnowledgeBaseApiTests
{
    internal static MultipartFormDataContent Upload(string field, string fileName, string text)
    {
        var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        content.Add(file, field, fileName);
        return content;
    }

    internal static async Task<JsonElement> UploadAndIngestAsync(TestServer server, string kb, string fileName, string text)
    {
        using var response = await server.Client.PostAsync($"/api/knowledge-bases/{kb}/documents", Upload("files", fileName, text));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 202, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        return await server.WaitForAsync($"/api/knowledge-bases/{kb}/ingests/{id}", r => r.GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Upload_search_ask_and_delete_round_trip()
    {
        await using var server = await TestServer.StartAsync();
        var created = await server.PostJsonAsync("/api/knowledge-bases", new { name = "geo" });
        Assert.Equal("geo", created.GetProperty("name").GetString());

        var ingest = await UploadAndIngestAsync(server, "geo", "veltoria.md", BigramChatModel.Document);
        Assert.Equal("succeeded", ingest.GetProperty("status").GetString());
        Assert.Equal(1, ingest.GetProperty("documents_added").GetInt32());
        Assert.True(ingest.GetProperty("chunks").GetInt32() >= 1);
        await UploadAndIngestAsync(server, "geo", "other.txt", "Ostrava makes steel engines. Nothing about capitals here.");

        var docs = await server.GetJsonAsync("/api/knowledge-bases/geo/documents");
        Assert.Equal(["other.txt", "veltoria.md"], docs.GetProperty("data").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToArray());

        var hits = await server.PostJsonAsync("/api/knowledge-bases/geo/search", new { query = "capital of Veltoria", k = 2 });
        var top = hits.GetProperty("data")[0];
        Assert.Equal("veltoria.md", top.GetProperty("source").GetString());
        Assert.Contains("Marnis", top.GetProperty("text").GetString());

        var model = Path.GetFileName(BigramChatModel.Path_);
        var answer = await server.PostJsonAsync("/api/knowledge-bases/geo/ask", new { question = "What is the capital of Veltoria?", model });
        Assert.Equal(BigramChatModel.Answer, answer.GetProperty("answer").GetString());
        var citation = answer.GetProperty("citations")[0];
        Assert.Equal(1, citation.GetProperty("number").GetInt32());
        Assert.Equal("veltoria.md", citation.GetProperty("source").GetString());
        // The snippet is exactly the document's text at the cited span.
        var docId = citation.GetProperty("document_id").GetString();
        var text = (await server.GetJsonAsync($"/api/knowledge-bases/geo/documents/text?id={Uri.EscapeDataString(docId!)}")).GetProperty("text").GetString()!;
        Assert.Equal(citation.GetProperty("snippet").GetString(), text[citation.GetProperty("start").GetInt32()..citation.GetProperty("end").GetInt32()]);

        // Streaming: deltas then the full answer, then [DONE].
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/knowledge-bases/geo/ask")
        {
            Content = JsonContent(new { question = "What is the capital of Veltoria?", model, stream = true }),
        };
        using var streamed = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType?.MediaType);
        var events = (await streamed.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
        Assert.Equal("[DONE]", events[^1]);
        var deltas = events.SkipLast(2).Select(e => JsonDocument.Parse(e).RootElement.GetProperty("delta").GetString()).ToList();
        Assert.True(deltas.Count >= 3, $"expected several deltas, got {deltas.Count}");
        Assert.Equal(BigramChatModel.Answer, string.Concat(deltas).Trim());
        Assert.Equal(1, JsonDocument.Parse(events[^2]).RootElement.GetProperty("citations").GetArrayLength());

        // Deleting the file removes its documents.
        using (var deleted = await server.Client.DeleteAsync("/api/knowledge-bases/geo/documents/veltoria.md"))
        {
            var run = JsonDocument.Parse(await deleted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
            var done = await server.WaitForAsync($"/api/knowledge-bases/geo/ingests/{run}", r => r.GetProperty("status").GetString() == "succeeded", TimeSpan.FromSeconds(30));
            Assert.Equal(1, done.GetProperty("documents_deleted").GetInt32());
        }
        Assert.Equal(1, (await server.GetJsonAsync("/api/knowledge-bases/geo/documents")).GetProperty("data").GetArrayLength());

        using (var deleted = await server.Client.DeleteAsync("/api/knowledge-bases/geo")) Assert.True(deleted.IsSuccessStatusCode);
        Assert.Equal(0, (await server.GetJsonAsync("/api/knowledge-bases")).GetProperty("data").GetArrayLength());
        Assert.False(Directory.Exists(Path.Combine(server.Options.DataDirectory, "knowledge-bases", "geo")));
    }

    [Fact]
    public async Task Chat_grounding_provider_builds_the_generators_prompt_with_citations()
    {
        await using var server = await TestServer.StartAsync();
        await server.PostJsonAsync("/api/knowledge-bases", new { name = "ground" });
        await UploadAndIngestAsync(server, "ground", "veltoria.md", BigramChatModel.Document);
        var provider = (RagTune.Server.OpenAi.IChatContextProvider)ServiceOf(server, typeof(RagTune.Server.OpenAi.IChatContextProvider));
        var grounded = await provider.GroundAsync("ground", [new(Microsoft.Extensions.AI.ChatRole.User, "What is the capital of Veltoria?")],
            Path.GetFileName(BigramChatModel.Path_), CancellationToken.None);
        Assert.Equal(2, grounded.Messages.Count);
        Assert.Contains("[1]", grounded.Messages[1].Text);
        Assert.Contains("Question: What is the capital of Veltoria?", grounded.Messages[1].Text);
        var citation = Assert.Single(grounded.Citations);
        Assert.Equal(1, citation.Number);
        Assert.Contains("Marnis", citation.Snippet);
        Assert.Equal("veltoria.md", citation.Source);

        // Through the OpenAI-compatible chat endpoint: the grounded answer and its sources; an unknown knowledge base is a 404.
        var model = Path.GetFileName(BigramChatModel.Path_);
        var chat = await server.PostJsonAsync("/v1/chat/completions", new
        {
            model, knowledge_base = "ground", messages = new[] { new { role = "user", content = "What is the capital of Veltoria?" } },
        });
        var message = chat.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal(BigramChatModel.Answer, message.GetProperty("content").GetString()!.Trim());
        Assert.Contains("Marnis", message.GetProperty("citations")[0].GetProperty("snippet").GetString());
        using var unknown = await server.Client.PostAsync("/v1/chat/completions", JsonContent(new
        {
            model, knowledge_base = "../nope", messages = new[] { new { role = "user", content = "x" } },
        }));
        Assert.Equal("knowledge_base", (await TestServer.AssertErrorAsync(unknown, 400)).GetProperty("param").GetString());
        using var missing = await server.Client.PostAsync("/v1/chat/completions", JsonContent(new
        {
            model, knowledge_base = "nope", messages = new[] { new { role = "user", content = "x" } },
        }));
        Assert.Equal("knowledge_base_not_found", (await TestServer.AssertErrorAsync(missing, 404)).GetProperty("code").GetString());
    }

    internal static object ServiceOf(TestServer server, Type type) => server.Services.GetService(type) ?? throw new InvalidOperationException($"{type} is not registered");

    internal static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
