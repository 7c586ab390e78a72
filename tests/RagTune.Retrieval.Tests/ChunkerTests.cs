using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Ingestion;
using RagTune.Models.Tokenization;

namespace RagTune.Retrieval.Tests;

public class ChunkerTests
{
    static SourceDocument Markdown(string text) => new MarkdownReader().Read("/x/doc.md", System.Text.Encoding.UTF8.GetBytes(text)).Single();

    [Fact]
    public void ChunksAreExactSpansWithinTheSizeAndKeepHeadingPaths()
    {
        var body = string.Join(" ", Enumerable.Range(0, 60).Select(i => $"Sentence number {i} talks about topic {i % 7}."));
        var doc = Markdown($"# Manual\n\n## Part A\n\n{body}\n\n## Part B\n\nShort closing words.\n");
        var chunks = new StructuredChunker(new ChunkingOptions { MaxTokens = 40, OverlapTokens = 10 }).Chunk(doc);
        Assert.True(chunks.Count > 5);
        foreach (var c in chunks)
        {
            Assert.Equal(doc.Text[c.Start..c.End], c.Text);
            Assert.True(c.TokenCount <= 40, $"chunk of {c.TokenCount} tokens");
            Assert.Equal(TextChunk.StableId(doc.Id, c.Start, c.End, c.Text), c.Id);
        }
        Assert.Equal("Manual > Part B", chunks[^1].HeadingPath);
        Assert.StartsWith("## Part B", chunks[^1].Text);
        // Overlap: consecutive chunks of Part A share text.
        var partA = chunks.Where(c => c.HeadingPath == "Manual > Part A").ToList();
        Assert.Contains(partA.Zip(partA.Skip(1)), p => p.Second.Start < p.First.End);
        Assert.Equal(chunks.Select(c => c.Id).Distinct().Count(), chunks.Count);
    }

    [Fact]
    public void OverlongSentenceIsCutAtWords()
    {
        var text = string.Join(' ', Enumerable.Repeat("word", 500));
        var doc = new SourceDocument("d", "d", "d", text, [new TextBlock(0, text.Length, "")]);
        var chunks = new StructuredChunker(new ChunkingOptions { MaxTokens = 50, OverlapTokens = 0 }, new WordCountTokenEstimator(1.0)).Chunk(doc);
        Assert.Equal(10, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(50, c.Text.Split(' ').Length));
    }

    [Fact]
    public void TokenizerCountsAreUsed()
    {
        var tokenizer = TokenizerLoader.FromFolder(RagTune.Tests.TestPaths.Tokenizer("bert-base-uncased"));
        var counter = new TokenizerTokenCounter(tokenizer);
        var text = string.Join(" ", Enumerable.Range(0, 40).Select(i => $"Electroencephalography measurement {i} was unremarkable."));
        var doc = new SourceDocument("d", "d", "d", text, [new TextBlock(0, text.Length, "")]);
        var chunks = new StructuredChunker(new ChunkingOptions { MaxTokens = 64, OverlapTokens = 8 }, counter).Chunk(doc);
        Assert.All(chunks, c => Assert.True(counter.Count(c.Text) <= 64, $"{counter.Count(c.Text)} tokens"));
    }
}
