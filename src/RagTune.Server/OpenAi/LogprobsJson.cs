using System.Text;
using System.Text.Json.Nodes;
using RagTune.Models.Generation;
using RagTune.Models.Tokenization;

namespace RagTune.Server.OpenAi;

/// <summary>Log-probabilities in OpenAI's two shapes: chat's <c>logprobs.content[]</c> and the legacy completions arrays.</summary>
internal static class LogprobsJson
{
    /// <summary>A token's text as the API shows it (special tokens included).</summary>
    public static string TokenText(ITokenizer tokenizer, int id) => tokenizer.Decode([id]);

    /// <summary>Chat: <c>{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}</c>.</summary>
    public static JsonObject ChatEntry(ITokenizer tokenizer, TokenLogprobs logprobs)
    {
        var entry = Chat(tokenizer, logprobs.TokenId, logprobs.Logprob);
        entry["top_logprobs"] = new JsonArray([.. logprobs.Top.Select(t => (JsonNode)Chat(tokenizer, t.TokenId, t.Logprob))]);
        return entry;
    }

    static JsonObject Chat(ITokenizer tokenizer, int id, float logprob)
    {
        var text = TokenText(tokenizer, id);
        return new JsonObject
        {
            ["token"] = text,
            ["logprob"] = logprob,
            ["bytes"] = new JsonArray([.. Encoding.UTF8.GetBytes(text).Select(b => (JsonNode)(int)b)]),
        };
    }

    /// <summary>
    /// Completions: <c>{tokens, token_logprobs, top_logprobs, text_offset}</c> for <paramref name="entries"/> (a null
    /// entry is a token without a log-probability: the first prompt token under <c>echo</c>).
    /// </summary>
    public static JsonObject Completion(ITokenizer tokenizer, IEnumerable<(int Id, TokenLogprobs? Logprobs)> entries, int textOffset)
    {
        var tokens = new JsonArray();
        var logprobs = new JsonArray();
        var tops = new JsonArray();
        var offsets = new JsonArray();
        foreach (var (id, lp) in entries)
        {
            var text = TokenText(tokenizer, id);
            tokens.Add(text);
            logprobs.Add(lp is null ? null : (JsonNode)lp.Logprob);
            if (lp is null) tops.Add(null);
            else
            {
                var top = new JsonObject();
                foreach (var (tid, tlp) in lp.Top) top[TokenText(tokenizer, tid)] = tlp;
                // OpenAI always lists the sampled token among the alternatives.
                top[text] = lp.Logprob;
                tops.Add(top);
            }
            offsets.Add(textOffset);
            textOffset += text.Length;
        }
        return new JsonObject { ["tokens"] = tokens, ["token_logprobs"] = logprobs, ["top_logprobs"] = tops, ["text_offset"] = offsets };
    }
}
