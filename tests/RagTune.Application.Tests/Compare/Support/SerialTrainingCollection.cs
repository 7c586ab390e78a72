namespace RagTune.Application.Tests.Compare.Support;

/// <summary>
/// Tests that compare two training runs number for number run alone: the LoRA initialisation and the trainer still
/// seed libtorch's global generator (being replaced by per-run generators), which a test training in parallel would
/// draw from in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTrainingCollection
{
    public const string Name = "compare: same-seed training runs";
}
