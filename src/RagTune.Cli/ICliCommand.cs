using System.CommandLine;

namespace RagTune.Cli;

/// <summary>One CLI verb. Implementations are discovered by reflection; they need a public parameterless constructor.</summary>
public interface ICliCommand
{
    /// <summary>Parent verb (<c>model</c>, <c>kb</c>, <c>eval</c>), or null for a top-level verb.</summary>
    string? Group => null;

    Command Build();
}
