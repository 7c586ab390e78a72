namespace RagTune.Evaluation.Benchmark;

/// <summary>
/// Sizes of one benchmark run: the worlds, the base model and its pre-training budget. <see cref="Full"/> is the
/// README's demo (≥ 300 test questions); <see cref="Quick"/> is the reduced run CI uses. Every number here is sized to
/// the time budget on two CPU cores, not to any result.
/// </summary>
public sealed record BenchmarkPreset
{
    /// <summary>Name written into the outputs (<c>full</c> or <c>quick</c>).</summary>
    public required string Name { get; init; }
    /// <summary>Entities of the pre-training world.</summary>
    public int PretrainEntities { get; init; } = 400;
    /// <summary>Share of the pre-training entities whose facts are also asked closed book in the corpus.</summary>
    public double MemoryQuestionShare { get; init; } = 0.5;
    /// <summary>
    /// People of the pre-training world who occur only in the context-reading conversations, one conversation each on one
    /// of their attributes: their facts are nowhere else in the corpus, so the answer can only be read from the sources
    /// (about people the model has memorised, recalling would do, and reading is never learned).
    /// </summary>
    public int ReadingEntities { get; init; } = 1600;
    /// <summary>Held-out entities of the pre-training world for the base model's reading check (never in the corpus).</summary>
    public int ValidationEntities { get; init; } = 40;
    /// <summary>
    /// Questions per context conversation: the first as the RAG path asks it, the rest follow-ups over the same sources
    /// (about the same or another person in them) — more answers to learn reading from per sequence of sources.
    /// </summary>
    public int QuestionsPerContext { get; init; } = 4;
    /// <summary>Entities of the test world.</summary>
    public int TestEntities { get; init; } = 72;
    /// <summary>Unknown entities asked about (unanswerable test questions).</summary>
    public int UnanswerableQuestions { get; init; } = 32;
    /// <summary>Share of test entities with one fact changed by the update.</summary>
    public double UpdateShare { get; init; } = 0.2;
    /// <summary>Rewrites of each test document for the ft-paraphrase arm.</summary>
    public int Paraphrases { get; init; } = 2;
    /// <summary>Labelled reviews for training / testing the classification task.</summary>
    public int ClassifyTrain { get; init; } = 240;
    /// <summary>Test reviews of the classification task.</summary>
    public int ClassifyTest { get; init; } = 200;
    /// <summary>Chunks per retrieval (pre-training contexts use the same number).</summary>
    public int TopK { get; init; } = 3;
    /// <summary>
    /// Prompt budget of the grounded prompt, in model tokens: three generated passages, the system prompt and the
    /// question need ~400; the margin to <see cref="MaxSeqLen"/> covers the chat template and the answer.
    /// </summary>
    public int ContextTokens { get; init; } = 448;
    /// <summary>Base-model vocabulary.</summary>
    public int VocabSize { get; init; } = 2048;
    /// <summary>Base-model width.</summary>
    public int HiddenSize { get; init; } = 128;
    /// <summary>Base-model blocks.</summary>
    public int Layers { get; init; } = 4;
    /// <summary>Base-model heads.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>Pre-train conversations on all their tokens, prompts included (see <c>PretrainOptions.ConversationLossOnPrompts</c>).</summary>
    public bool PretrainOnPrompts { get; init; } = true;
    /// <summary>Pre-training optimizer steps on the corpus (after any drill stages).</summary>
    public int PretrainSteps { get; init; } = 600;
    /// <summary>Pre-training batch size.</summary>
    public int PretrainBatchSize { get; init; } = 16;
    /// <summary>Pre-training peak learning rate.</summary>
    public double PretrainLearningRate { get; init; } = 3e-3;

    /// <summary>
    /// Steps of the first pre-training stage, on simple reading drills (one sentence, one question: the value to copy is
    /// the only one in the context; 0 = no such stage). They teach copying from the sources, which the full drills then build on.
    /// 600 in the README demo: with RoPE base 500,000 every draw tried copies every held-out simple drill after them (3 of 3
    /// seeds), with base 10,000 one of two (README, session 13).
    /// </summary>
    public int SimpleDrillSteps { get; init; }
    /// <summary>
    /// Steps of the next pre-training stage, on full reading drills only (short grounded conversations about people invented
    /// per drill; 0 = no such stage). The drills teach looking a value up in the sources before the corpus is trained.
    /// </summary>
    public int DrillSteps { get; init; }
    /// <summary>Drills per step of the drill stages (each drill is seen once).</summary>
    public int DrillBatchSize { get; init; } = 32;
    /// <summary>Peak learning rate of the simple-drill stage.</summary>
    public double SimpleDrillLearningRate { get; init; } = 1e-2;
    /// <summary>Peak learning rate of the full-drill stage (in the scratch harness 1e-2 undid much of what the simple stage taught; 3e-3 built on it).</summary>
    public double DrillLearningRate { get; init; } = 1e-2;
    /// <summary>Further full drills mixed into the corpus of the last stage, so reading is kept while the corpus is learned.</summary>
    public int MixedDrills { get; init; }
    /// <summary>
    /// Simple drills mixed into the corpus of the last stage, so the copying the simple-drill stage taught is not unlearned:
    /// on the corpus alone a model that copied every held-out simple drill copies .09 of them after 200 steps, with 3,000
    /// simple drills mixed in .91 (README, session 13).
    /// </summary>
    public int MixedSimpleDrills { get; init; }
    /// <summary>Mimetic initialisation of attention (<c>PretrainOptions.AttentionInit</c>) instead of random.</summary>
    public bool MimeticAttention { get; init; }
    /// <summary>RoPE base of the base model (<c>PretrainOptions.RopeTheta</c>).</summary>
    public double RopeTheta { get; init; } = 10_000;

    /// <summary>Longest pre-training sequence and the model's context (a grounded prompt with <see cref="TopK"/> sources and the answer fit).</summary>
    public int MaxSeqLen { get; init; } = 512;

    /// <summary>
    /// The README demo (recipe 7, README session 13): 2 layers × 8 heads, mimetic attention, RoPE base 500,000; a copy stage
    /// of 600 × 32 simple drills, then the corpus with 4,000 full and 3,000 simple drills mixed in.
    /// </summary>
    public static BenchmarkPreset Full { get; } = new()
    {
        Name = "full", Layers = 2, Heads = 8, MimeticAttention = true, RopeTheta = 500_000,
        SimpleDrillSteps = 600, MixedDrills = 4000, MixedSimpleDrills = 3000,
    };

    /// <summary>The reduced run for CI: smaller worlds, a smaller model, a short pre-training (through a few drill stages and mimetic attention, so CI runs those paths).</summary>
    public static BenchmarkPreset Quick { get; } = new()
    {
        Name = "quick", PretrainEntities = 120, ValidationEntities = 20, TestEntities = 16, UnanswerableQuestions = 6, ClassifyTrain = 60, ClassifyTest = 40,
        ReadingEntities = 240, Paraphrases = 1, VocabSize = 1024, HiddenSize = 64, Layers = 2, Heads = 2, PretrainSteps = 120,
        SimpleDrillSteps = 20, DrillSteps = 20, DrillBatchSize = 8, MixedDrills = 200, MixedSimpleDrills = 100, MimeticAttention = true,
    };
}
