using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace RagTune.Server.OpenAi;

/// <summary>
/// <c>POST /v1/embeddings</c> on a served encoder (<c>--embed-model</c>, or an encoder passed as <c>--model</c>):
/// <c>input</c> a string or strings, <c>encoding_format</c> <c>float</c> or <c>base64</c> (little-endian float32, the
/// official clients' default).
/// </summary>
internal static class EmbeddingsEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var body = await JsonRequest.ReadObjectAsync(context);
        var modelId = JsonRequest.RequiredString(body, "model");
        var format = JsonRequest.OptionalString(body, "encoding_format") ?? "float";
        if (format is not ("float" or "base64")) throw OpenAiException.BadField("encoding_format", $"'encoding_format' is '{format}'; expected 'float' or 'base64'.");
        if (JsonRequest.OptionalInteger(body, "dimensions", 1, 100_000) is not null)
            throw OpenAiException.BadField("dimensions", "'dimensions' is not supported: the model's own dimension is returned.");
        var inputs = Inputs(body);

        var model = await context.RequestServices.GetRequiredService<ServedModelCatalog>().GetAsync(modelId, context.RequestAborted);
        var embedder = model.Embedder ?? throw new OpenAiException(400,
            $"The model '{modelId}' is not an embedding model. HINT: start the server with --embed-model <dir> and use its id.", param: "model", code: "model_not_supported");
        await model.EmbedGate.WaitAsync(context.RequestAborted);
        Microsoft.Extensions.AI.GeneratedEmbeddings<Microsoft.Extensions.AI.Embedding<float>> embeddings;
        try
        {
            embeddings = await embedder.GenerateAsync(inputs, cancellationToken: context.RequestAborted);
        }
        finally
        {
            model.EmbedGate.Release();
        }
        var promptTokens = model.Tokenizer is { } tokenizer ? inputs.Sum(i => tokenizer.Encode(i).Count) : 0;
        var data = new JsonArray();
        for (var i = 0; i < embeddings.Count; i++)
        {
            var vector = embeddings[i].Vector;
            JsonNode embedding = format == "base64"
                ? Convert.ToBase64String(MemoryMarshal.AsBytes(vector.Span))
                : new JsonArray([.. vector.ToArray().Select(x => (JsonNode)x)]);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }
        var response = new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model.Id,
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["total_tokens"] = promptTokens },
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
    }

    static List<string> Inputs(JsonObject body)
    {
        var node = body["input"] ?? throw new OpenAiException(400, "'input' is required.", param: "input", code: "missing_required_parameter");
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String) return [v.GetValue<string>()];
        if (node is JsonArray a && a.Count > 0 && a.All(x => x is JsonValue s && s.GetValueKind() == JsonValueKind.String))
            return [.. a.Select(x => x!.GetValue<string>())];
        throw JsonRequest.WrongType("input", "a string or a non-empty array of strings (token-id input is not supported)", node);
    }
}
