using RagTune.Tests;
using static TorchSharp.torch;

namespace RagTune.Models.Tests;

public class HiddenStatePoolingTests
{
    [Fact]
    public void PoolsOnlyRealTokens()
    {
        using var scope = NewDisposeScope();
        var hidden = tensor(new float[] { 1, 2, 3, 4, 100, 100, /* row 1 */ 5, 6, 7, 8, 9, 10 }).view(2, 3, 2);
        var mask = tensor(new long[] { 1, 1, 0, 1, 1, 1 }).view(2, 3);
        Assert.Equal(new float[] { 2, 3, 7, 8 }, HiddenStatePooling.Pool(hidden, mask, PoolingMode.Mean).data<float>().ToArray());
        Assert.Equal(new float[] { 1, 2, 5, 6 }, HiddenStatePooling.Pool(hidden, mask, PoolingMode.Cls).data<float>().ToArray());
        Assert.Equal(new float[] { 3, 4, 9, 10 }, HiddenStatePooling.Pool(hidden, mask, PoolingMode.Max).data<float>().ToArray());
        Assert.Equal(new float[] { 3, 4, 9, 10 }, HiddenStatePooling.Pool(hidden, mask, PoolingMode.LastToken).data<float>().ToArray());
        var n = HiddenStatePooling.Normalize(tensor(new float[] { 3, 4 }).view(1, 2));
        Assert.Equal(new float[] { 0.6f, 0.8f }, n.data<float>().ToArray());
    }

    [Fact]
    public void ReadsSentenceTransformersPoolingConfig()
    {
        var dir = TestPaths.NewTempDir("ragtune-st-pool");
        try
        {
            Assert.Equal(PoolingMode.Cls, HiddenStatePooling.ReadMode(dir, PoolingMode.Cls));
            Directory.CreateDirectory(Path.Combine(dir, "1_Pooling"));
            File.WriteAllText(Path.Combine(dir, "1_Pooling", "config.json"), """{"word_embedding_dimension": 64, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true}""");
            File.WriteAllText(Path.Combine(dir, "modules.json"), """[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},{"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]""");
            Assert.Equal(PoolingMode.Mean, HiddenStatePooling.ReadMode(dir, PoolingMode.Cls));
            Assert.True(HiddenStatePooling.ReadNormalize(dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
