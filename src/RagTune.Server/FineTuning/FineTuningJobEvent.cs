namespace RagTune.Server.FineTuning;

/// <summary>A job event in OpenAI's shape (<c>fine_tuning.job.event</c>); <c>type</c> metrics carries <see cref="Data"/>.</summary>
public sealed record FineTuningJobEvent(string Id, long CreatedAt, string Level, string Message, string Type, FineTuningMetrics? Data = null)
{
    /// <summary>Always <c>fine_tuning.job.event</c>.</summary>
    public string Object => "fine_tuning.job.event";
}
