using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RagTune.Models;
using RagTune.Models.Tokenization;
using RagTune.Server.Tests.Support;
using TorchSharp;

namespace RagTune.Server.Tests.OpenAi;

/// <summary>
/// <c>/v1/completions</c> as lm-evaluation-harness's <c>local-completions</c> calls it for log-likelihood: token-id
/// prompts, <c>echo</c>, <c>logprobs</c>, <c>max_tokens</c> 0/1, temperature 0 — the log-probabilities equal the model's
/// log-softmax computed in-process.
/// </summary>
public class CompletionsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    static float[,] LogSoftmax(int[] ids)
    {
        using var model = ModelLoader.LoadCausalLanguageModel(ModelFolders.Chat);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.inference_mode();
        var logits = model.Forward(torch.tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]))[0].log_softmax(-1);
        var result = new float[ids.Length, logits.shape[1]];
        var flat = logits.data<float>().ToArray();
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }

    async Task<JsonObject> CompleteAsync(object request)
    {
        using var http = fixture.Server.Http();
        var response = await http.PostAsJsonAsync("v1/completions", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    [Fact]
    public async Task EchoWithLogprobsScoresEveryPromptTokenAsTheModelDoes()
    {
        int[] prompt = [1, 17, 42, 300, 5, 9];
        var response = await CompleteAsync(new { model = "tiny-chat", prompt, max_tokens = 1, echo = true, logprobs = 1, temperature = 0 });
        var choice = response["choices"]![0]!;
        var logprobs = choice["logprobs"]!;
        var tokenLogprobs = logprobs["token_logprobs"]!.AsArray();
        Assert.Equal(prompt.Length + 1, tokenLogprobs.Count); // the prompt, then the generated token
        Assert.Null(tokenLogprobs[0]);

        var expected = LogSoftmax(prompt);
        for (var t = 1; t < prompt.Length; t++)
            Assert.Equal(expected[t - 1, prompt[t]], (float)tokenLogprobs[t]!, 1e-4f);
        // The generated token is the greedy one, and top_logprobs lists it (what lm-eval's is_greedy checks).
        var greedy = Enumerable.Range(0, expected.GetLength(1)).MaxBy(v => expected[prompt.Length - 1, v]);
        Assert.Equal(expected[prompt.Length - 1, greedy], (float)tokenLogprobs[^1]!, 1e-4f);
        var top = logprobs["top_logprobs"]!.AsArray();
        Assert.Equal(prompt.Length + 1, top.Count);
        Assert.Equal(prompt.Length + 1, logprobs["tokens"]!.AsArray().Count);
        Assert.Equal(prompt.Length + 1, logprobs["text_offset"]!.AsArray().Count);
        Assert.Equal(prompt.Length, (int)response["usage"]!["prompt_tokens"]!);
        Assert.Equal(1, (int)response["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task MaxTokensZeroReturnsOnlyThePromptScored()
    {
        int[][] prompts = [[1, 5, 6, 7], [1, 8, 9]];
        var response = await CompleteAsync(new { model = "tiny-chat", prompt = prompts, max_tokens = 0, echo = true, logprobs = 0 });
        var choices = response["choices"]!.AsArray();
        Assert.Equal(2, choices.Count);
        for (var i = 0; i < prompts.Length; i++)
        {
            var lp = choices[i]!["logprobs"]!["token_logprobs"]!.AsArray();
            Assert.Equal(prompts[i].Length, lp.Count);
            var expected = LogSoftmax(prompts[i]);
            Assert.Equal(expected[0, prompts[i][1]], (float)lp[1]!, 1e-4f);
        }
        Assert.Equal(0, (int)response["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task TextPromptsContinueAndEchoTheirText()
    {
        var tokenizer = TokenizerLoader.FromFolder(ModelFolders.Chat);
        var plain = await CompleteAsync(new { model = "tiny-chat", prompt = "w1 w2 w3", max_tokens = 5, temperature = 0 });
        var echoed = await CompleteAsync(new { model = "tiny-chat", prompt = "w1 w2 w3", max_tokens = 5, temperature = 0, echo = true });
        var text = (string)plain["choices"]![0]!["text"]!;
        Assert.Equal("w1 w2 w3" + text, (string)echoed["choices"]![0]!["text"]!);
        Assert.Equal(tokenizer.Encode("w1 w2 w3").Count, (int)plain["usage"]!["prompt_tokens"]!);
        Assert.Equal("text_completion", (string)plain["object"]!);
    }
}
