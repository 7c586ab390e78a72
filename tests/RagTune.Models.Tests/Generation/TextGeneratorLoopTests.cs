using RagTune.Models.Generation;

namespace RagTune.Models.Tests.Generation;

/// <summary>The generation loop's book-keeping on a fake counting model (no weights needed).</summary>
public class TextGeneratorLoopTests
{
    /// <summary>Id i decodes to the letter 'a' + i; ids ≥ 26 decode to "".</summary>
    sealed class LetterTokenizer : RagTune.Models.Tokenization.ITokenizer
    {
        public int VocabSize => 32;
        public int? BosTokenId => null;
        public int? EosTokenId => null;
        public int? PadTokenId => null;
        public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true) => text.Select(c => c - 'a').ToList();
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false) =>
            string.Concat(ids.Where(i => i < 26).Select(i => (char)('a' + i)));
        public int? TokenToId(string token) => null;
        public string? IdToToken(int id) => null;
    }

    [Fact]
    public void MaxNewTokensAndStopTokens()
    {
        var generator = new TextGenerator(new CountingModel(), new LetterTokenizer());
        var result = generator.Generate([0, 1, 2], new GenerationOptions { MaxNewTokens = 5 });
        Assert.Equal([3, 4, 5, 6, 7], result.TokenIds);
        Assert.Equal("defgh", result.Text);
        Assert.Equal(GenerationFinishReason.Length, result.FinishReason);

        var stopped = generator.Generate([0], new GenerationOptions { MaxNewTokens = 10, StopTokenIds = [4] });
        Assert.Equal([1, 2, 3], stopped.TokenIds);
        Assert.Equal(GenerationFinishReason.StopToken, stopped.FinishReason);
    }

    [Fact]
    public void StreamingRunsEveryStepOnTheConsumersThread()
    {
        // A thread's libtorch settings (TorchThreadLimit) and its warm C heap stay with the work: no hop to the pool.
        var model = new CountingModel();
        var generator = new TextGenerator(model, new LetterTokenizer());
        var consumer = 0;
        var thread = new Thread(() =>
        {
            consumer = Environment.CurrentManagedThreadId;
            foreach (var _ in generator.GenerateStreamingAsync([0, 1], new GenerationOptions { MaxNewTokens = 6, StopTokenIds = [] }).ToBlockingEnumerable()) { }
        });
        thread.Start();
        thread.Join();
        Assert.Equal(6, model.Calls);
        Assert.Equal([consumer], model.Threads);
    }

    [Fact]
    public void StopStringEndsGenerationAndIsTrimmed()
    {
        var generator = new TextGenerator(new CountingModel(), new LetterTokenizer());
        var result = generator.Generate("a", new GenerationOptions { MaxNewTokens = 20, StopStrings = ["ef", "zz"] });
        Assert.Equal("bcd", result.Text);
        Assert.Equal([1, 2, 3, 4, 5], result.TokenIds);
        Assert.Equal(GenerationFinishReason.StopString, result.FinishReason);
    }

    [Fact]
    public void BatchRowsStopIndependently()
    {
        var generator = new TextGenerator(new CountingModel(), new LetterTokenizer());
        var results = generator.GenerateBatch([[0], [5, 6, 7]], new GenerationOptions { MaxNewTokens = 6, StopTokenIds = [3] });
        Assert.Equal([1, 2], results[0].TokenIds);
        Assert.Equal(GenerationFinishReason.StopToken, results[0].FinishReason);
        Assert.Equal([8, 9, 10, 11, 12, 13], results[1].TokenIds);
        Assert.Equal(3, results[1].PromptTokenCount);
    }

    [Fact]
    public async Task StreamingConcatenatesToTheFullText()
    {
        var generator = new TextGenerator(new CountingModel(), new LetterTokenizer());
        var options = new GenerationOptions { MaxNewTokens = 8, StopStrings = ["gh"] };
        var updates = new List<GenerationUpdate>();
        await foreach (var u in generator.GenerateStreamingAsync([0], options)) updates.Add(u);
        Assert.Equal(generator.Generate([0], options).Text, string.Concat(updates.Select(u => u.TextDelta)));
        Assert.Equal("bcdef", string.Concat(updates.Select(u => u.TextDelta)));
        Assert.Equal(GenerationFinishReason.StopString, updates[^1].FinishReason);
        Assert.All(updates[..^1], u => Assert.Null(u.FinishReason));
    }

    [Fact]
    public async Task CancellationStopsPromptly()
    {
        var model = new CountingModel(delayMs: 20);
        var generator = new TextGenerator(model);
        using var cts = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in generator.GenerateStreamingAsync([0], new GenerationOptions { MaxNewTokens = 1000 }, cts.Token))
                if (++seen == 3) cts.Cancel();
        });
        Assert.Equal(3, seen);
        Assert.InRange(model.Calls, 3, 4);
    }
}
