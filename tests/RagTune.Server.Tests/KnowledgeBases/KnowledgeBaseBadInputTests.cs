using System.Text.Json;
using RagTune.Server.Tests.Support;

namespace RagTune.Server.Tests.KnowledgeBases;

/// <summary>Bad input to the knowledge-base endpoints gets a 4xx OpenAI-style error, writes nothing outside the data folder, and the server stays up.</summary>
public sealed class KnowledgeBaseBadInputTests
{
    [Fact]
    public async Task Path_traversal_names_oversized_and_unsupported_uploads_and_unknown_names_are_refused()
    {
        var options = TestServer.DefaultOptions() with { MaxUploadBytes = 4096 };
        var outside = Path.Combine(Path.GetDirectoryName(options.DataDirectory)!, $"escaped-{Guid.NewGuid():N}.txt");
        await using var server = await TestServer.StartAsync(options);
        await server.PostJsonAsync("/api/knowledge-bases", new { name = "safe" });

        // A file name that climbs out of the knowledge base's folder.
        foreach (var name in new[] { $"../../../{Path.GetFileName(outside)}", "..\\evil.txt", "/etc/passwd.txt", ".hidden.txt", "a/b.txt" })
        {
            using var response = await server.Client.PostAsync("/api/knowledge-bases/safe/documents", KnowledgeBaseApiTests.Upload("files", name, "text"));
            var error = await TestServer.AssertErrorAsync(response, 400);
            Assert.Equal("invalid_file_name", error.GetProperty("code").GetString());
        }
        Assert.False(File.Exists(outside));
        Assert.Empty(Directory.GetFiles(Path.Combine(options.DataDirectory, "knowledge-bases", "safe", "files")));

        // Knowledge-base names that are paths.
        using (var r = await server.Client.PostAsync("/api/knowledge-bases", KnowledgeBaseApiTests.JsonContent(new { name = "../x" })))
            Assert.Equal("invalid_name", (await TestServer.AssertErrorAsync(r, 400)).GetProperty("code").GetString());
        using (var r = await server.Client.GetAsync("/api/knowledge-bases/..%2F..%2Fetc/documents")) Assert.InRange((int)r.StatusCode, 400, 404);
        using (var r = await server.Client.DeleteAsync("/api/knowledge-bases/safe/documents/..%2F..%2Fstore%2Fkb.sqlite"))
            await TestServer.AssertErrorAsync(r, 400);
        Assert.True(File.Exists(Path.Combine(options.DataDirectory, "knowledge-bases", "safe", "store", "kb.sqlite")));

        // Over the upload limit, and a type the ingestor does not read.
        using (var r = await server.Client.PostAsync("/api/knowledge-bases/safe/documents", KnowledgeBaseApiTests.Upload("files", "big.txt", new string('x', 64 * 1024))))
            await TestServer.AssertErrorAsync(r, 413);
        using (var r = await server.Client.PostAsync("/api/knowledge-bases/safe/documents", KnowledgeBaseApiTests.Upload("files", "tool.exe", "MZ")))
            Assert.Equal("unsupported_file_type", (await TestServer.AssertErrorAsync(r, 415)).GetProperty("code").GetString());

        // Unknown knowledge base, unknown model, malformed JSON, wrong types.
        using (var r = await server.Client.PostAsync("/api/knowledge-bases/nope/search", KnowledgeBaseApiTests.JsonContent(new { query = "x" })))
            Assert.Equal("knowledge_base_not_found", (await TestServer.AssertErrorAsync(r, 404)).GetProperty("code").GetString());
        using (var r = await server.Client.PostAsync("/api/knowledge-bases/safe/ask", KnowledgeBaseApiTests.JsonContent(new { question = "x", model = "no-such-model" })))
            Assert.Equal("model_not_found", (await TestServer.AssertErrorAsync(r, 404)).GetProperty("code").GetString());
        using (var r = await server.Client.PostAsync("/api/knowledge-bases/safe/search", new StringContent("{\"query\": ", System.Text.Encoding.UTF8, "application/json")))
            await TestServer.AssertErrorAsync(r, 400);
        using (var r = await server.Client.PostAsync("/api/knowledge-bases/safe/search", KnowledgeBaseApiTests.JsonContent(new { query = 42 })))
            await TestServer.AssertErrorAsync(r, 400);
        using (var r = await server.Client.PostAsync("/api/knowledge-bases/safe/search", KnowledgeBaseApiTests.JsonContent(new { query = "x", mode = "magic" })))
            await TestServer.AssertErrorAsync(r, 400);
        using (var r = await server.Client.PostAsync("/api/knowledge-bases", KnowledgeBaseApiTests.JsonContent(new { name = "safe" })))
            await TestServer.AssertErrorAsync(r, 409);

        // Still serving.
        using var health = await server.Client.GetAsync("/health");
        Assert.True(health.IsSuccessStatusCode);
        var list = await server.GetJsonAsync("/api/knowledge-bases");
        Assert.Equal(["safe"], list.GetProperty("data").EnumerateArray().Select(k => k.GetProperty("name").GetString()).ToArray());
    }

    [Fact]
    public async Task Knowledge_bases_given_at_start_are_listed_searchable_and_not_deletable()
    {
        var external = Path.Combine(RagTune.Tests.TestPaths.NewTempDir("external"), "handbook");
        using (var kb = RagTune.Retrieval.Store.KnowledgeBase.Open(external))
        {
            var docs = Path.Combine(Path.GetDirectoryName(external)!, "docs");
            Directory.CreateDirectory(docs);
            File.WriteAllText(Path.Combine(docs, "a.md"), BigramChatModel.Document);
            await new RagTune.Retrieval.Ingestion.KnowledgeBaseIngestor(kb).IngestAsync([docs]);
        }
        await using var server = await TestServer.StartAsync(TestServer.DefaultOptions() with { KnowledgeBases = [external] });
        var hits = await server.PostJsonAsync("/api/knowledge-bases/handbook/search", new { query = "Marnis" });
        Assert.True(hits.GetProperty("data").GetArrayLength() > 0);
        using var r = await server.Client.DeleteAsync("/api/knowledge-bases/handbook");
        await TestServer.AssertErrorAsync(r, 403);
        Assert.True(File.Exists(Path.Combine(external, "kb.sqlite")));
    }
}
