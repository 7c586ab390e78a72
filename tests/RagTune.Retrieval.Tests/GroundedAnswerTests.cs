using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Generation;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Tests.Support;

namespace RagTune.Retrieval.Tests;

public class GroundedAnswerTests
{
    static async Task<TempKnowledgeBase> KbAsync()
    {
        var kb = new TempKnowledgeBase();
        kb.Write("water.md", "# Water\n\nWater boils at 100 degrees Celsius at sea level.\n\n## Ice\n\nIce melts at 0 degrees Celsius.\n");
        kb.Write("iron.txt", "Iron melts at 1538 degrees Celsius. Iron rusts when exposed to oxygen and water.");
        await new KnowledgeBaseIngestor(kb.Kb).IngestAsync([kb.Docs]);
        return kb;
    }

    /// <summary>A model that quotes the first sentence of the source that mentions <paramref name="word"/>, citing it.</summary>
    static ScriptedChatClient Quoting(string word) => new(messages =>
    {
        var user = messages.Last().Text;
        foreach (Match m in Regex.Matches(user, @"\n\[(\d+)\][^\n]*\n([^\n]+)"))
        {
            var sentence = Regex.Split(m.Groups[2].Value, @"(?<=\.)\s").FirstOrDefault(s => s.Contains(word, StringComparison.OrdinalIgnoreCase));
            if (sentence is not null) return $"{sentence} [{m.Groups[1].Value}]";
        }
        return "Not found in the sources.";
    });

    [Fact]
    public async Task CitationsPointToSpansThatContainTheCitedText()
    {
        using var kb = await KbAsync();
        var generator = new GroundedAnswerGenerator(new LuceneBm25Retriever(kb.Kb), Quoting("rusts"));
        var answer = await generator.AskAsync("Why does iron rust?");
        Assert.False(answer.Abstained);
        var citation = Assert.Single(answer.Citations);
        var quoted = answer.Text[..answer.Text.LastIndexOf('[')].Trim();
        var documentText = kb.Kb.GetDocumentText(citation.DocumentId)!;
        Assert.Contains(quoted, documentText[citation.Start..citation.End]);
        Assert.EndsWith("iron.txt", citation.SourcePath);
        var annotated = CitationExtractor.ToAnnotatedMessage(answer.Text, answer.Sources);
        var annotation = Assert.IsType<CitationAnnotation>(Assert.Single(annotated.Contents.OfType<TextContent>().Single().Annotations!));
        Assert.Equal(citation.Snippet, annotation.Snippet);
    }

    [Fact]
    public async Task HeadingPathAndStreamingDeltas()
    {
        using var kb = await KbAsync();
        var generator = new GroundedAnswerGenerator(new LuceneBm25Retriever(kb.Kb), Quoting("Ice"));
        var updates = new List<GroundedAnswerUpdate>();
        await foreach (var u in generator.AskStreamingAsync("When does ice melt?")) updates.Add(u);
        Assert.True(updates.Count > 3);
        var answer = updates[^1].Answer!;
        Assert.Equal(answer.Text, string.Concat(updates.Select(u => u.Delta)).Trim());
        Assert.Equal("Water > Ice", answer.Citations.Single().HeadingPath);
    }

    [Fact]
    public async Task AbstainsWithoutCallingTheModelWhenNothingIsRetrieved()
    {
        using var kb = await KbAsync();
        var chat = Quoting("anything");
        var answer = await new GroundedAnswerGenerator(new LuceneBm25Retriever(kb.Kb), chat).AskAsync("Who painted the Mona Lisa?");
        Assert.True(answer.Abstained);
        Assert.Contains("not found in the sources", answer.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(chat.Prompts);
        Assert.Empty(answer.Citations);
    }

    [Fact]
    public async Task ModelSayingNotFoundAbstains()
    {
        using var kb = await KbAsync();
        var answer = await new GroundedAnswerGenerator(new LuceneBm25Retriever(kb.Kb), Quoting("zzzz")).AskAsync("water iron degrees");
        Assert.True(answer.Abstained);
        Assert.Empty(answer.Citations);
    }

    [Fact]
    public async Task PromptFitsTheContextBudget()
    {
        using var kb = new TempKnowledgeBase();
        for (var i = 0; i < 20; i++)
            kb.Write($"f{i}.txt", string.Join(" ", Enumerable.Range(0, 120).Select(j => $"granite{(j % 5 == 0 ? "" : j.ToString())}")) + ".");
        await new KnowledgeBaseIngestor(kb.Kb).IngestAsync([kb.Docs]);
        var counter = new WordCountTokenEstimator();
        var options = new GroundedAnswerOptions { ContextTokens = 600, AnswerTokens = 100, TokenCounter = counter, Retrieval = new RetrievalOptions { TopK = 20 } };
        var prompt = await new GroundedAnswerGenerator(new LuceneBm25Retriever(kb.Kb), Quoting("x"), options).BuildPromptAsync("granite");
        var total = prompt.Messages.Sum(m => counter.Count(m.Text) + options.TemplateTokensPerMessage);
        Assert.InRange(total, 1, 500);
        Assert.InRange(prompt.Sources.Count, 1, 19);
        var last = prompt.Sources[^1];
        Assert.Equal(last.Retrieved.Chunk.Text[..last.Text.Length], last.Text);
    }
}
