namespace RagTune.Server.OpenAi;

/// <summary>The models the server serves (<c>/v1/models</c>); fine-tuning jobs add the models they produce.</summary>
public interface IServedModelCatalog
{
    /// <summary>Served models, in the order they were added.</summary>
    IReadOnlyList<ServedModel> List();

    /// <summary>Adds a model folder under <paramref name="id"/> (loaded on first use); an existing id is replaced.</summary>
    void Add(string id, string folder, string? ownedBy = null);
}

/// <summary>One served model: its id (the folder name for <c>--model</c> folders) and where its files are.</summary>
public sealed record ServedModel(string Id, string Folder, string OwnedBy, DateTimeOffset Created);
