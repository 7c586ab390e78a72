using RagTune.Application.Compare;
using RagTune.Models;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using RagTune.Tests;
using RagTune.Training.Tests.Support;
using static TorchSharp.torch;

namespace RagTune.Application.Tests.Compare;

/// <summary>The cached option scorer against the definition: one full forward pass per (context + option).</summary>
public class OptionScorerTests
{
    [Fact]
    public void CachedScores_EqualOneFullForwardPerOption_AlsoWhenTheContextIsCutToTheWindow()
    {
        var dir = TestPaths.NewTempDir();
        try
        {
            var words = "a b c d e f g h i j k l m n o p q r s t u v w x y z";
            TinyModelFolder.Create(dir, [words], maxPositions: 24, chatMl: true);
            using var model = ModelLoader.LoadCausalLanguageModel(dir);
            var tokenizer = TokenizerLoader.FromFolder(dir);
            var scorer = new OptionScorer(model, tokenizer, ChatTemplate.FromFolder(dir)!);
            var rng = new Random(5);
            int Id() => tokenizer.Encode(((char)('a' + rng.Next(26))).ToString(), addSpecialTokens: false)[0];
            foreach (var contextLength in new[] { 5, 21, 40 })   // short; cut by the longest option; far over the window
            {
                var context = Enumerable.Range(0, contextLength).Select(_ => Id()).ToList();
                IReadOnlyList<IReadOnlyList<int>> options = [[Id()], [Id(), Id(), Id()], [Id(), Id()], [Id(), Id(), Id(), Id()]];
                var cached = scorer.Score(context, options);
                var keep = Math.Min(context.Count, 24 - options.Max(o => o.Count));
                var ctx = context.Skip(context.Count - keep).ToList();
                for (var i = 0; i < options.Count; i++)
                    Assert.Equal(Reference(model, ctx, options[i]), cached[i], 3);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Sum of log p(option token | everything before it) from one forward pass over context + option.</summary>
    static double Reference(ICausalLanguageModel model, List<int> context, IReadOnlyList<int> option)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = context.Concat(option).Select(i => (long)i).ToArray();
        var logProbs = model.Forward(tensor(ids, dtype: ScalarType.Int64).unsqueeze(0))[0].log_softmax(-1);
        double sum = 0;
        for (var t = 0; t < option.Count; t++) sum += logProbs[context.Count + t - 1, option[t]].item<float>();
        return sum;
    }
}
