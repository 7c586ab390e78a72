using System.Text.Json;
using System.Text.Json.Nodes;
using RagTune.Models.Tokenization.Training;

namespace RagTune.Training.Pretraining;

/// <summary>
/// The tokenizer files of a model pre-trained by <see cref="PretrainRecipe"/>: a byte-level BPE trained on the corpus,
/// ChatML special tokens and chat template (the format Qwen2.5 uses, so every chat path of the product renders it),
/// <c>&lt;|im_end|&gt;</c> as EOS (it ends an assistant turn and separates packed documents).
/// </summary>
public static class PretrainTokenizer
{
    /// <summary>Padding token (id 0).</summary>
    public const string PadToken = "<|endoftext|>";
    /// <summary>Start of a chat turn.</summary>
    public const string TurnStart = "<|im_start|>";
    /// <summary>End of a chat turn and of a document.</summary>
    public const string EosToken = "<|im_end|>";

    /// <summary>The special tokens in id order.</summary>
    public static IReadOnlyList<string> SpecialTokens { get; } = [PadToken, TurnStart, EosToken];

    /// <summary>
    /// ChatML, each message as <c>&lt;|im_start|&gt;role\n content&lt;|im_end|&gt;\n</c>: the content follows a space,
    /// as a word inside a sentence does. A byte-level BPE gives " lilac" and "lilac" different ids, so without it an
    /// answer copied from the sources would start with another token than the sources hold — a mapping per value for
    /// the model to learn instead of one identity copy (the demo's reading check at 600 steps: without the space the base
    /// declined every question; with it, it answers values of the asked kind — not yet the ones the sources state).
    /// </summary>
    public const string ChatTemplate =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n ' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /// <summary>Trains the BPE on <paramref name="texts"/> and writes tokenizer.json, tokenizer_config.json and generation_config.json into <paramref name="dir"/>.</summary>
    public static TrainedBpe Write(string dir, IEnumerable<string> texts, int vocabSize, int maxLength)
    {
        Directory.CreateDirectory(dir);
        var bpe = BpeTrainer.Train(texts, new BpeTrainerOptions { VocabSize = vocabSize, SpecialTokens = SpecialTokens });
        BpeTrainer.WriteTokenizerJson(bpe, Path.Combine(dir, "tokenizer.json"));
        var indented = new JsonSerializerOptions { WriteIndented = true };
        var config = new JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["bos_token"] = null,
            ["eos_token"] = EosToken,
            ["pad_token"] = PadToken,
            ["unk_token"] = null,
            ["add_bos_token"] = false,
            ["model_max_length"] = maxLength,
            ["chat_template"] = ChatTemplate,
        };
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString(indented));
        var generation = new JsonObject { ["eos_token_id"] = SpecialTokens.ToList().IndexOf(EosToken), ["pad_token_id"] = 0 };
        File.WriteAllText(Path.Combine(dir, "generation_config.json"), generation.ToJsonString(indented));
        return bpe;
    }
}
