using RagTune.Server.OpenAi;
using RagTune.Tests;

namespace RagTune.Server.Tests.OpenAi;

/// <summary>What <c>/v1/models</c> calls a served folder: its name, a hub download's repo id, a built-in encoder's name.</summary>
public class ModelIdTests
{
    [Fact]
    public void AFolderIsCalledByItsNameAHubSnapshotByItsRepoIdABuiltInEncoderByItsName()
    {
        var root = TestPaths.NewTempDir("model-ids");
        var plain = Directory.CreateDirectory(Path.Combine(root, "my-model")).FullName;
        Assert.Equal("my-model", ServedModelCatalog.IdOf(plain + "/"));

        var snapshot = Directory.CreateDirectory(Path.Combine(root, "hub", "models--HuggingFaceTB--SmolLM2-135M-Instruct", "snapshots", "0123abcd")).FullName;
        Assert.Equal("HuggingFaceTB/SmolLM2-135M-Instruct", ServedModelCatalog.IdOf(snapshot));

        var builtIn = Directory.CreateDirectory(Path.Combine(root, "cache", "minilm-8b4fb04c8bb9")).FullName;
        Assert.Equal("minilm-8b4fb04c8bb9", ServedModelCatalog.IdOf(builtIn)); // not converted by us: no record, keeps its name
        File.WriteAllText(Path.Combine(builtIn, "ragtune-builtin.json"), "{}");
        Assert.Equal("minilm", ServedModelCatalog.IdOf(builtIn));
        // A user folder that happens to end in -something is not renamed unless its prefix is a built-in encoder.
        var user = Directory.CreateDirectory(Path.Combine(root, "notes-v2")).FullName;
        File.WriteAllText(Path.Combine(user, "ragtune-builtin.json"), "{}");
        Assert.Equal("notes-v2", ServedModelCatalog.IdOf(user));
    }
}
