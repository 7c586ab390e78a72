namespace RagTune.Training.Pretraining;

/// <summary>
/// Everything a from-scratch pre-training run needs (printed in full at start): the corpus, the tokenizer's size,
/// the Llama-family model's shape and the <see cref="TrainerOptions"/> of the loop. The defaults give a ~1M-parameter
/// model that trains at several thousand tokens/s on two CPU cores.
/// </summary>
public sealed record PretrainOptions
{
    /// <summary>
    /// JSONL corpus: <c>{"text": …}</c> records are documents (packed into full sequences, EOS between them),
    /// <c>{"messages": [...]}</c> records are conversations (loss on the assistant turns only). A <c>.txt</c> file is one document per blank-line-separated paragraph.
    /// </summary>
    public required string CorpusPath { get; init; }

    /// <summary>Vocabulary size of the byte-level BPE tokenizer trained on the corpus.</summary>
    public int VocabSize { get; init; } = 2048;

    /// <summary>Model width.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Transformer blocks.</summary>
    public int Layers { get; init; } = 4;

    /// <summary>Attention heads (key/value heads are the same number).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>MLP width; 0 = about 8/3 of <see cref="HiddenSize"/> rounded up to a multiple of 32 (Llama's ratio).</summary>
    public int IntermediateSize { get; init; }

    /// <summary>
    /// Train conversations on every token (the prompt too), not only on the assistant turns — as pre-training treats
    /// all text: the prompts' sources repeat names and values the question then asks about, which is the signal that
    /// teaches a model to look things up in its context (copying); the answers still carry their own loss.
    /// </summary>
    public bool ConversationLossOnPrompts { get; init; }

    /// <summary>How the attention projections start (<see cref="AttentionInit.Random"/> as Hugging Face initialises, or <see cref="AttentionInit.Mimetic"/>).</summary>
    public AttentionInit AttentionInit { get; init; } = AttentionInit.Random;

    /// <summary>Longest training sequence, and the model's <c>max_position_embeddings</c>.</summary>
    public int MaxSeqLen { get; init; } = 256;

    /// <summary>The loop: output folder (checkpoints, metrics), epochs/steps, learning rate, batch size, seed, resume.</summary>
    public required TrainerOptions Trainer { get; init; }

    /// <summary>The MLP width actually used.</summary>
    public int EffectiveIntermediateSize => IntermediateSize > 0 ? IntermediateSize : (HiddenSize * 8 / 3 + 31) / 32 * 32;

    /// <summary>Checks the values; the message names the bad one.</summary>
    public void Validate()
    {
        if (!File.Exists(CorpusPath)) throw new FileNotFoundException($"corpus '{CorpusPath}' does not exist. HINT: pass a .jsonl or .txt file.", CorpusPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(VocabSize, 256 + PretrainTokenizer.SpecialTokens.Count, nameof(VocabSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HiddenSize, nameof(HiddenSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Layers, nameof(Layers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Heads, nameof(Heads));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSeqLen, 16, nameof(MaxSeqLen));
        if (HiddenSize % Heads != 0 || HiddenSize / Heads % 2 != 0)
            throw new ArgumentException($"hidden size {HiddenSize} must split into {Heads} heads of an even size (RoPE rotates pairs).", nameof(Heads));
    }
}

/// <summary>How a from-scratch model's attention projections are initialised.</summary>
public enum AttentionInit
{
    /// <summary>N(0, <c>initializer_range</c>) like every other matrix (Hugging Face's initialiser).</summary>
    Random,

    /// <summary><see cref="MimeticInitialization"/>: <c>W_q = W_k</c>, <c>W_o = W_vᵀ</c> — heads start out matching and copying.</summary>
    Mimetic,
}
