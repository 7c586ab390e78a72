namespace RagTune.Server.FineTuning;

/// <summary>An uploaded file as <c>/v1/files</c> returns it (OpenAI's file object).</summary>
public sealed record StoredFile(string Id, long Bytes, long CreatedAt, string Filename, string Purpose)
{
    /// <summary>Always <c>file</c>.</summary>
    public string Object => "file";

    /// <summary>OpenAI's (deprecated) status field; uploads are validated before they are stored.</summary>
    public string Status => "processed";
}
