using RagTune.Models.Generation;
using RagTune.Tests;

namespace RagTune.Models.Tests.Generation;

/// <summary>
/// ContinuousBatcher: a row's greedy output in a shared batch (joining mid-flight, longer and shorter than the rows
/// already there, leaving early) equals the same request run alone by <see cref="TextGenerator"/>; the queue bound,
/// cancellation freeing a row, and log-probabilities.
/// </summary>
public class ContinuousBatcherTests
{
    static ICausalLanguageModel Load(string fixture) => ModelLoader.LoadCausalLanguageModel(TestPaths.Parity(fixture));

    static IReadOnlyList<int>[] Prompts() =>
    [
        [1, 17, 42, 300, 5, 9, 77, 12],
        [1, 250],
        [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20],
        [1, 400, 401],
        [1, 60, 61, 62, 63],
        [1, 99, 98, 97, 96, 95, 94],
    ];

    [Theory]
    [InlineData("llama3-style")]
    [InlineData("gpt2")]
    public async Task EveryRowEqualsTheSameRequestAlone(string fixture)
    {
        using var model = Load(fixture);
        var prompts = Prompts();
        // Different lengths make rows finish at different steps, so later requests join a batch that is mid-flight.
        var lengths = new[] { 20, 5, 14, 9, 30, 3 };
        var alone = prompts.Select((p, i) => new TextGenerator(model).Generate(p, new GenerationOptions { MaxNewTokens = lengths[i], StopTokenIds = [] }).TokenIds).ToList();

        using var batcher = new ContinuousBatcher(model, options: new ContinuousBatcherOptions { MaxBatch = 3, QueueLimit = 16 });
        var runs = prompts.Select((p, i) => batcher.Submit(new BatchedGenerationRequest(p, new GenerationOptions { MaxNewTokens = lengths[i], StopTokenIds = [] }))).ToList();
        for (var i = 0; i < runs.Count; i++)
        {
            var (updates, _) = await runs[i].ReadToEndAsync();
            Assert.Equal(alone[i], updates.Select(u => u.TokenId).ToList());
            Assert.Equal(GenerationFinishReason.Length, updates[^1].FinishReason);
        }
        Assert.Equal(0, batcher.ActiveRows);
    }

    [Fact]
    public async Task RowsCompactWhenTheSharedColumnReachesTheContext()
    {
        using var model = Load("llama3-style");
        var prompts = Prompts();
        // A context of 40: a long row and staggered short ones push the shared write column past it many times.
        var options = new GenerationOptions { MaxNewTokens = 60, StopTokenIds = [] };
        using var batcher = new ContinuousBatcher(model, options: new ContinuousBatcherOptions { MaxBatch = 4, ContextLength = 40 });
        var runs = prompts.Select((p, i) => batcher.Submit(new BatchedGenerationRequest(p, options with { MaxNewTokens = 10 + 7 * i }))).ToList();
        for (var i = 0; i < runs.Count; i++)
        {
            var (updates, _) = await runs[i].ReadToEndAsync();
            var expectedCount = Math.Min(10 + 7 * i, 40 - prompts[i].Count);
            var alone = new TextGenerator(model).Generate(prompts[i], options with { MaxNewTokens = expectedCount }).TokenIds;
            Assert.Equal(alone, updates.Select(u => u.TokenId).ToList());
        }
    }

    [Fact]
    public async Task AFullQueueRefusesAndACancelledRequestFreesItsRow()
    {
        using var model = Load("llama3-style");
        using var batcher = new ContinuousBatcher(model, options: new ContinuousBatcherOptions { MaxBatch = 1, QueueLimit = 1 });
        var endless = new GenerationOptions { MaxNewTokens = 250, StopTokenIds = [] };
        using var cts = new CancellationTokenSource();
        var first = batcher.Submit(new BatchedGenerationRequest([1, 2, 3], endless), cts.Token);
        var second = batcher.Submit(new BatchedGenerationRequest([1, 5], endless with { MaxNewTokens = 4 }));
        Assert.Throws<BatcherQueueFullException>(() => batcher.Submit(new BatchedGenerationRequest([1, 6], endless)));

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.ReadToEndAsync());
        var (updates, _) = await second.ReadToEndAsync();
        Assert.Equal(4, updates.Count);
        Assert.Equal(0, batcher.ActiveRows);
        Assert.Equal(0, batcher.QueuedRequests);
    }

    [Fact]
    public async Task ARowPastItsTimeoutIsStoppedByTheLoopAndFreed()
    {
        // 20 ms a step: 1,000 tokens cannot finish within the 100 ms timeout, however the threads are scheduled.
        var model = new CountingModel(delayMs: 20);
        using var batcher = new ContinuousBatcher(model, options: new ContinuousBatcherOptions { MaxBatch = 2 });
        var run = batcher.Submit(new BatchedGenerationRequest([1, 2, 3], new GenerationOptions { MaxNewTokens = 1000, StopTokenIds = [] },
            Timeout: TimeSpan.FromMilliseconds(100)));
        var updates = new List<GenerationUpdate>();
        var error = await Assert.ThrowsAsync<GenerationTimeoutException>(async () =>
        {
            await foreach (var u in run.ReadUpdatesAsync()) updates.Add(u);
        });
        Assert.Equal(TimeSpan.FromMilliseconds(100), error.Timeout);
        Assert.True(updates.Count < 1000, $"{updates.Count} tokens");
        Assert.Equal(0, batcher.ActiveRows);
        Assert.Equal(1, batcher.CancelledRequests);
        // The freed row serves the next request to its end.
        var (next, _) = await batcher.Submit(new BatchedGenerationRequest([1, 5], new GenerationOptions { MaxNewTokens = 3, StopTokenIds = [] },
            Timeout: TimeSpan.FromMinutes(1))).ReadToEndAsync();
        Assert.Equal([6, 7, 8], next.Select(u => u.TokenId));
    }

    [Fact]
    public async Task AQueuedRequestPastItsTimeoutNeverGetsARow()
    {
        var model = new CountingModel(delayMs: 5);
        using var batcher = new ContinuousBatcher(model, options: new ContinuousBatcherOptions { MaxBatch = 1 });
        using var cts = new CancellationTokenSource();
        var running = batcher.Submit(new BatchedGenerationRequest([1], new GenerationOptions { MaxNewTokens = 1000, StopTokenIds = [] }), cts.Token);
        await running.Admitted;
        var waiting = batcher.Submit(new BatchedGenerationRequest([1, 2], new GenerationOptions { MaxNewTokens = 5, StopTokenIds = [] },
            Timeout: TimeSpan.FromMilliseconds(50)));
        await Task.Delay(200);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.ReadToEndAsync());
        var (updates, error) = (new List<GenerationUpdate>(), (Exception?)null);
        try { await foreach (var u in waiting.ReadUpdatesAsync()) updates.Add(u); } catch (Exception e) { error = e; }
        Assert.IsType<GenerationTimeoutException>(error);
        Assert.Empty(updates);
        Assert.Equal(2, batcher.CancelledRequests);
        Assert.Equal(0, batcher.QueuedRequests);
    }

    [Fact]
    public void ANonPositiveTimeoutIsRefused()
    {
        using var batcher = new ContinuousBatcher(new CountingModel());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            batcher.Submit(new BatchedGenerationRequest([1], new GenerationOptions(), Timeout: TimeSpan.Zero)));
        Assert.Contains("Timeout must be positive", e.Message);
    }

    [Fact]
    public async Task LogprobsAreTheModelsLogSoftmax()
    {
        using var model = Load("llama3-style");
        int[] prompt = [1, 17, 42, 300, 5];
        using var batcher = new ContinuousBatcher(model);
        var run = batcher.Submit(new BatchedGenerationRequest(prompt, new GenerationOptions { MaxNewTokens = 1, StopTokenIds = [] }, TopLogprobs: 3, PromptLogprobs: true));
        var (updates, _) = await run.ReadToEndAsync();

        using var scope = TorchSharp.torch.NewDisposeScope();
        var logits = model.Forward(TorchSharp.torch.tensor(prompt.Select(i => (long)i).ToArray(), [1, prompt.Length]))[0].log_softmax(-1);
        Assert.Equal(prompt.Length - 1, run.PromptLogprobs!.Count);
        for (var t = 1; t < prompt.Length; t++)
            Assert.Equal(logits[t - 1, prompt[t]].item<float>(), run.PromptLogprobs[t - 1].Logprob, 1e-4f);
        var generated = updates[0].Logprobs!;
        Assert.Equal(logits[^1].argmax().item<long>(), generated.TokenId); // greedy = most likely
        Assert.Equal(3, generated.Top.Count);
        Assert.Equal(generated.TokenId, generated.Top[0].TokenId);
        Assert.Equal(logits[^1].max().item<float>(), generated.Logprob, 1e-4f);
    }
}
