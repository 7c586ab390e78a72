using System.Text.Json.Nodes;
using RagTune.Models.Generation;

namespace RagTune.Server.OpenAi;

/// <summary>
/// The sampling and stopping fields chat and completions share, onto the model's defaults: <c>temperature</c>,
/// <c>top_p</c>, <c>max_tokens</c>/<c>max_completion_tokens</c>, <c>stop</c>, <c>seed</c> (plus <c>top_k</c> and
/// <c>repetition_penalty</c> as llama-server and vLLM accept them). Unsupported values are 400s, not silently ignored.
/// </summary>
internal static class SamplingFields
{
    /// <summary>The generation options of a request; <paramref name="defaultMaxTokens"/> when it sets no limit.</summary>
    public static GenerationOptions Parse(JsonObject body, GenerationOptions defaults, int defaultMaxTokens)
    {
        JsonRequest.OptionalInteger(body, "n", 1, 1); // one choice per prompt
        var maxTokens = JsonRequest.OptionalInteger(body, "max_completion_tokens", 1, 1_000_000)
                        ?? JsonRequest.OptionalInteger(body, "max_tokens", 0, 1_000_000);
        var options = defaults with
        {
            Temperature = (float?)JsonRequest.OptionalNumber(body, "temperature", 0, 2) ?? defaults.Temperature,
            TopP = (float?)JsonRequest.OptionalNumber(body, "top_p", 0, 1) ?? defaults.TopP,
            TopK = (int?)JsonRequest.OptionalInteger(body, "top_k", 0, 100_000) ?? defaults.TopK,
            RepetitionPenalty = (float?)JsonRequest.OptionalNumber(body, "repetition_penalty", 0.01, 10) ?? defaults.RepetitionPenalty,
            Seed = JsonRequest.OptionalInteger(body, "seed", long.MinValue, long.MaxValue) ?? defaults.Seed,
            MaxNewTokens = (int)(maxTokens ?? defaultMaxTokens),
            StopStrings = JsonRequest.OptionalStop(body) ?? defaults.StopStrings,
        };
        if (options.TopP <= 0) throw OpenAiException.BadField("top_p", "'top_p' must be greater than 0.");
        return options;
    }
}
