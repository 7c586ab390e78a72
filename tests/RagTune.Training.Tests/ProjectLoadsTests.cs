namespace RagTune.Training.Tests;

public class ProjectLoadsTests
{
    [Fact]
    public void TestDataIsFound() => Assert.True(Directory.Exists(RagTune.Tests.TestPaths.Data));
}
