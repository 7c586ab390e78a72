using RagTune.Models;
using RagTune.Models.Generation;
using RagTune.Models.Tokenization;

namespace RagTune.Application;

/// <summary>
/// A loaded model with an encoded prompt, ready to generate (from <see cref="GenerateService.OpenAsync"/>). Owns the
/// model; each call samples from its own generator seeded by <see cref="GenerationOptions.Seed"/>.
/// </summary>
public sealed class GenerationSession : IDisposable
{
    readonly ICausalLanguageModel _model;
    readonly TextGenerator _generator;

    internal GenerationSession(ICausalLanguageModel model, ITokenizer? tokenizer, IReadOnlyList<int> prompt, GenerationOptions options)
    {
        (_model, Tokenizer, Prompt, Options) = (model, tokenizer, prompt, options);
        _generator = new TextGenerator(model, tokenizer);
    }

    /// <summary>The model's tokenizer; null when the folder has none (token-id prompts only, no text out).</summary>
    public ITokenizer? Tokenizer { get; }

    /// <summary>The encoded prompt.</summary>
    public IReadOnlyList<int> Prompt { get; }

    /// <summary>The options used, stop ids included.</summary>
    public GenerationOptions Options { get; }

    /// <summary>Generates to the end on a worker thread.</summary>
    public Task<GenerationResult> GenerateAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => _generator.Generate(Prompt, Options, cancellationToken), cancellationToken);

    /// <summary>Generates token by token.</summary>
    public IAsyncEnumerable<GenerationUpdate> StreamAsync(CancellationToken cancellationToken = default) =>
        _generator.GenerateStreamingAsync(Prompt, Options, cancellationToken);

    /// <inheritdoc/>
    public void Dispose() => _model.Dispose();
}
