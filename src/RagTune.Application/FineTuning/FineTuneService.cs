using RagTune.Models;
using RagTune.Models.Tokenization;
using RagTune.Training;
using RagTune.Training.Data;
using RagTune.Training.Reporting;

namespace RagTune.Application;

/// <summary>Runs a fine-tuning job (<see cref="FineTuneRecipe"/>): full or LoRA, causal, SFT or classification.</summary>
public static class FineTuneService
{
    /// <summary>
    /// Trains on a worker thread and writes the output folder (see <see cref="FineTuneRecipe"/>). <paramref name="progress"/>
    /// receives step and evaluation records, <paramref name="messages"/> human-readable lines (options, data, where the
    /// outputs are). Bad data, models or options become <see cref="ServiceException"/>s (a diverged run:
    /// <see cref="ServiceErrorKind.Failure"/>).
    /// </summary>
    public static async Task<TrainingResult> RunAsync(FineTuneOptions options, IProgress<TrainingProgress>? progress = null,
        IProgress<string>? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return await Task.Run(() => new FineTuneRecipe(options, messages, progress).Run(cancellationToken), cancellationToken);
        }
        catch (Exception e) when (e is DatasetException or ModelLoadException or TokenizerLoadException or ArgumentException or NotSupportedException or InvalidDataException)
        {
            throw new ServiceException(e.Message, ServiceErrorKind.BadInput, e);
        }
        catch (TrainingDivergedException e)
        {
            throw new ServiceException(e.Message, ServiceErrorKind.Failure, e);
        }
    }
}
