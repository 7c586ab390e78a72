using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RagTune.Server.Tests.Support;

namespace RagTune.Server.Tests.FineTuning;

/// <summary>Training data for the bigram model and the upload helper.</summary>
internal static class FineTuningData
{
    /// <summary>Twelve prompt/completion records in the model's vocabulary.</summary>
    public static string Jsonl => string.Join("\n", Enumerable.Range(0, 12).Select(i => JsonSerializer.Serialize(new
    {
        prompt = i % 2 == 0 ? "What is the capital of Veltoria" : "Marnis has a river port",
        completion = i % 2 == 0 ? "Marnis" : "Veltoria",
    }))) + "\n";

    public static async Task<string> UploadAsync(TestServer server, string fileName = "train.jsonl", string? content = null)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("fine-tune"), "purpose");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content ?? Jsonl));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", fileName);
        using var response = await server.Client.PostAsync("/v1/files", form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    public static object Job(string fileId, int maxSteps = 6, int? saveEvery = null) => new
    {
        model = Path.GetFileName(BigramChatModel.Path_),
        training_file = fileId,
        suffix = "test",
        hyperparameters = new { n_epochs = 1, batch_size = 2, learning_rate_multiplier = 5, method = "lora", lora_rank = 4, max_steps = maxSteps, save_every = saveEvery },
    };
}
