using RagTune.Models.Generation;
using RagTune.Retrieval.Chunking;
using RagTune.Tests;

namespace RagTune.Application.Tests.Clients;

public class ModelClientsTests
{
    [Fact]
    public void MissingFoldersAndBrokenModelsAreUserErrorsNamingTheFolder()
    {
        var missing = Path.Combine(TestPaths.NewTempDir("ragtune-app"), "no-such-model");
        var e = Assert.Throws<ServiceException>(() => ModelClients.OpenChat(missing));
        Assert.Equal(ServiceErrorKind.NotFound, e.Kind);
        Assert.Contains(missing, e.Message);

        var broken = TestPaths.NewTempDir("ragtune-app");
        File.WriteAllText(Path.Combine(broken, "config.json"), "{ \"model_type\": \"llama\" ");
        e = Assert.Throws<ServiceException>(() => ModelClients.OpenEmbedder(broken));
        Assert.Equal(ServiceErrorKind.BadInput, e.Kind);
        Assert.Contains(broken, e.Message);
    }

    [Fact]
    public void ContextWindowComesFromTheEngineReadingOfTheConfig()
    {
        // GPT-2 names it n_positions, Llama max_position_embeddings: the engine's ModelConfig knows both.
        Assert.Equal(ReadPositions(TestPaths.Parity("gpt2"), "n_positions"), ModelClients.ContextWindow(TestPaths.Parity("gpt2")));
        Assert.Equal(ReadPositions(TestPaths.Parity("llama3-style"), "max_position_embeddings"), ModelClients.ContextWindow(TestPaths.Parity("llama3-style")));
        Assert.Null(ModelClients.ContextWindow("http://localhost:8080/v1#m"));
        Assert.IsType<WordCountTokenEstimator>(ModelClients.TokenCounter("http://localhost:8080/v1#m"));
    }

    [Fact]
    public async Task GenerateRefusesContradictoryPromptsBeforeLoadingAnything()
    {
        var both = new GenerateRequest { Model = "/nowhere", Prompt = "hi", PromptIds = [1, 2] };
        Assert.Equal(ServiceErrorKind.BadArguments, (await Assert.ThrowsAsync<ServiceException>(() => GenerateService.OpenAsync(both))).Kind);
        var chatIds = new GenerateRequest { Model = "/nowhere", PromptIds = [1], Chat = true };
        Assert.Equal(ServiceErrorKind.BadArguments, (await Assert.ThrowsAsync<ServiceException>(() => GenerateService.OpenAsync(chatIds))).Kind);
        var hot = new GenerateRequest { Model = "/nowhere", PromptIds = [1], Options = new GenerationOptions { Temperature = -1 } };
        Assert.Equal(ServiceErrorKind.BadArguments, (await Assert.ThrowsAsync<ServiceException>(() => GenerateService.OpenAsync(hot))).Kind);
    }

    static int ReadPositions(string dir, string key) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json"))).RootElement.GetProperty(key).GetInt32();
}
