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

    /// <summary>
    /// Stages trained in order before the corpus (a curriculum), each on its own corpus (same formats) with its own
    /// steps, batch size and learning rate. The tokenizer is trained on the corpus alone, so a stage should be in the
    /// corpus' language (words it lacks are split into more tokens). Empty = the corpus only.
    /// </summary>
    public IReadOnlyList<PretrainStage> Stages { get; init; } = [];

    /// <summary>
    /// Optional held-out JSONL (same formats) scored during every stage — every <see cref="TrainerOptions.EvalEvery"/>
    /// steps and at each stage's end — as the mean loss of its documents' tokens and its conversations' answer tokens
    /// (never their prompts), so a stage that teaches answering shows whether it does on data it never trains on.
    /// </summary>
    public string? ValidationPath { get; init; }

    /// <summary>How the attention projections start (<see cref="AttentionInit.Random"/> as Hugging Face initialises, or <see cref="AttentionInit.Mimetic"/>).</summary>
    public AttentionInit AttentionInit { get; init; } = AttentionInit.Random;

    /// <summary>Longest training sequence, and the model's <c>max_position_embeddings</c>.</summary>
    public int MaxSeqLen { get; init; } = 256;

    /// <summary>
    /// RoPE base (<c>rope_theta</c>): position <c>m</c> turns dimension pair <c>i</c> of a query or key by <c>m·θ^(−2i/d)</c>.
    /// A larger base turns more pairs slowly, so a query still matches a like key many positions back — what mimetic
    /// attention starts from (Llama 2 uses 10,000, Llama 3 500,000).
    /// </summary>
    public double RopeTheta { get; init; } = 10_000;

    /// <summary>The loop: output folder (checkpoints, metrics), epochs/steps, learning rate, batch size, seed, resume.</summary>
    public required TrainerOptions Trainer { get; init; }

    /// <summary>The MLP width actually used.</summary>
    public int EffectiveIntermediateSize => IntermediateSize > 0 ? IntermediateSize : (HiddenSize * 8 / 3 + 31) / 32 * 32;

    /// <summary>Checks the values; the message names the bad one.</summary>
    public void Validate()
    {
        if (!File.Exists(CorpusPath)) throw new FileNotFoundException($"corpus '{CorpusPath}' does not exist. HINT: pass a .jsonl or .txt file.", CorpusPath);
        for (var i = 0; i < Stages.Count; i++)
        {
            var stage = Stages[i];
            if (!File.Exists(stage.CorpusPath)) throw new FileNotFoundException($"stage {i + 1}'s corpus '{stage.CorpusPath}' does not exist. HINT: pass a .jsonl or .txt file.", stage.CorpusPath);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stage.Steps, $"Stages[{i}].Steps");
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stage.BatchSize, $"Stages[{i}].BatchSize");
            if (!double.IsFinite(stage.LearningRate) || stage.LearningRate <= 0)
                throw new ArgumentOutOfRangeException($"Stages[{i}].LearningRate", stage.LearningRate, "a stage's learning rate must be a positive number.");
        }
        if (ValidationPath is { } validation && !File.Exists(validation))
            throw new FileNotFoundException($"validation set '{validation}' does not exist. HINT: pass a .jsonl or .txt file.", validation);
        ArgumentOutOfRangeException.ThrowIfLessThan(VocabSize, 256 + PretrainTokenizer.SpecialTokens.Count, nameof(VocabSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HiddenSize, nameof(HiddenSize));
        if (!(RopeTheta > 1)) throw new ArgumentOutOfRangeException(nameof(RopeTheta), RopeTheta, "the RoPE base must be greater than 1.");
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

/// <summary>A pre-training stage before the main corpus: its corpus and its loop settings (warm-up and decay of its own, a fresh optimizer state).</summary>
public sealed record PretrainStage(string CorpusPath, int Steps, int BatchSize, double LearningRate);
