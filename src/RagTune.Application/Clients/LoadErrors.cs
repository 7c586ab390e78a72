using RagTune.Models;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;

namespace RagTune.Application;

/// <summary>The one place that turns the engine's load failures (whose messages name file and field) into user errors.</summary>
internal static class LoadErrors
{
    /// <summary>Runs <paramref name="load"/> for the model or tokenizer in <paramref name="source"/>, wrapping load failures.</summary>
    public static T Guard<T>(string source, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (IsLoadError(e))
        {
            var message = e.Message.Contains(source, StringComparison.Ordinal) ? e.Message : $"Could not load the model in '{source}': {e.Message}";
            throw new ServiceException(message, Directory.Exists(source) || File.Exists(source) ? ServiceErrorKind.BadInput : ServiceErrorKind.NotFound, e);
        }
    }

    static bool IsLoadError(Exception e) =>
        e is ModelLoadException or TokenizerLoadException or TemplateException or FileNotFoundException or DirectoryNotFoundException
            or InvalidDataException;
}
