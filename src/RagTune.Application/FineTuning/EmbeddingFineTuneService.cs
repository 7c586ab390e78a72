using RagTune.Models;
using RagTune.Models.Tokenization;
using RagTune.Training;
using RagTune.Training.Embeddings;

namespace RagTune.Application;

/// <summary>Runs a retriever fine-tuning job (<see cref="EmbeddingFineTuneRecipe"/>): query/positive pairs, full or LoRA.</summary>
public static class EmbeddingFineTuneService
{
    /// <summary>
    /// Trains the encoder of <see cref="EmbeddingFineTuneOptions.ModelDir"/> and writes a complete sentence-encoder folder.
    /// Bad data, models or options become <see cref="ServiceException"/>s (a diverged run: <see cref="ServiceErrorKind.Failure"/>).
    /// </summary>
    public static async Task<EmbeddingFineTuneResult> RunAsync(EmbeddingFineTuneOptions options, IProgress<EmbeddingFineTuneProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return await new EmbeddingFineTuneRecipe(options, progress).RunAsync(cancellationToken);
        }
        catch (Exception e) when (e is ModelLoadException or TokenizerLoadException or InvalidDataException or FileNotFoundException or IOException or ArgumentException)
        {
            throw new ServiceException(e.Message, ServiceErrorKind.BadInput, e);
        }
        catch (TrainingDivergedException e)
        {
            throw new ServiceException(e.Message, ServiceErrorKind.Failure, e);
        }
    }
}
