using RagTune.Evaluation.Compare.Metrics;

namespace RagTune.Evaluation.Tests.Compare;

public class MetricsTests
{
    [Fact]
    public void Squad_NormalisationExactMatchAndF1()
    {
        Assert.Equal("eiffel tower", AnswerNormalizer.Normalize("The  Eiffel Tower!"));
        Assert.Equal(1, QaMetrics.ExactMatch("The Eiffel Tower!", ["eiffel tower"]));
        Assert.Equal(0, QaMetrics.ExactMatch("Paris", ["eiffel tower"]));
        Assert.Equal(0.5, QaMetrics.F1("in Paris France", ["Paris"]), 12);   // P = 1/3, R = 1
        Assert.Equal(1.0, QaMetrics.F1("paris", ["London", "Paris"]), 12);   // best alias
        Assert.True(QaMetrics.IsAbstention("Not found in the sources."));
        Assert.True(QaMetrics.IsAbstention(""));
        Assert.False(QaMetrics.IsAbstention("Marnis [1]"));
    }

    [Fact]
    public void RougeL_IsTheLcsFMeasure()
    {
        // LCS("the cat sat on the mat", "the cat is on the mat") = "the cat on the mat" = 5 of 6 tokens each way.
        Assert.Equal(5.0 / 6, RougeL.F("the cat sat on the mat", "the cat is on the mat"), 12);
        Assert.Equal(0, RougeL.F("", "x"));
    }

    [Fact]
    public void MacroF1_MatchesScikitLearn()
    {
        // sklearn f1_score(["a","a","b","b"], ["a","b","b","b"], average="macro") = (2/3 + 4/5) / 2
        Assert.Equal((2.0 / 3 + 0.8) / 2, ClassificationMetrics.MacroF1(["a", "b", "b", "b"], ["a", "a", "b", "b"]), 12);
        Assert.Equal("positive", ClassificationMetrics.MatchLabel("I think: positive.", ["negative", "positive"]));
        Assert.Equal("", ClassificationMetrics.MatchLabel("no idea", ["negative", "positive"]));
    }

    [Fact]
    public void Faithfulness_CountsContentWordsFoundInTheContext()
    {
        // Content words: marnis, lies, oskel ("on" is a stop word, [1] a citation); only marnis is in the context.
        Assert.Equal(1.0 / 3, Faithfulness.Score("Marnis lies on Oskel [1]", "The capital is Marnis."), 12);
        Assert.Equal(1.0, Faithfulness.CitationPrecision(["The capital of Veltoria is Marnis."], ["Marnis"]));
        Assert.Equal(0.5, Faithfulness.CitationPrecision(["The capital of Veltoria is Marnis.", "Filler text."], ["Marnis"]));
        Assert.True(double.IsNaN(Faithfulness.CitationPrecision([], ["Marnis"])));
    }
}
