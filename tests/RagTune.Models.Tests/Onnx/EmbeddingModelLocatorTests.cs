using Microsoft.Extensions.AI;
using RagTune.Models.Clients;
using RagTune.Models.Onnx;
using RagTune.Tests;

namespace RagTune.Models.Tests.Onnx;

/// <summary>Built-in encoders by name: conversion into a cache, reuse, repair of a damaged copy, concurrent first use, query prefix.</summary>
public sealed class EmbeddingModelLocatorTests
{
    [Fact]
    public void NamesResolveToFoldersNoneToNullOthersUnchanged()
    {
        Assert.Null(EmbeddingModelLocator.Resolve("none"));
        Assert.Equal("http://localhost:1/v1#m", EmbeddingModelLocator.Resolve("http://localhost:1/v1#m"));
        var existing = TestPaths.NewTempDir();
        Assert.Equal(existing, EmbeddingModelLocator.Resolve(existing));
        var folder = EmbeddingModelLocator.Resolve("MiniLM", TestEncoders.CacheOptions)!;
        Assert.Equal(TestEncoders.Folder("minilm"), folder);
        Assert.True(File.Exists(Path.Combine(folder, "model.safetensors")));
    }

    [Fact]
    [Trait("Tier", "Integration")]
    public void ConcurrentFirstUsesShareOneValidCopyAndADamagedCopyIsRebuilt()
    {
        var cache = new EmbeddingModelCacheOptions(TestPaths.NewTempDir("ragtune-cache"));
        // Four first uses at once (as two processes would): each converts privately; one rename wins, the others adopt it.
        var folders = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4)
            .Select(_ => EmbeddingModelLocator.Materialize(BuiltInEncoder.MiniLm, cache)).ToList();
        Assert.Single(folders.Distinct());
        var folder = folders[0];
        Assert.Single(Directory.GetDirectories(cache.CacheDirectory!)); // no temporary folders left behind
        var reference = File.ReadAllBytes(Path.Combine(folder, "model.safetensors"));

        // A damaged file (bit flip) fails the SHA-256 check; the next use converts again.
        var bytes = (byte[])reference.Clone();
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(folder, "model.safetensors"), bytes);
        Assert.Equal(folder, EmbeddingModelLocator.Materialize(BuiltInEncoder.MiniLm, cache));
        Assert.Equal(reference, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
        Directory.Delete(cache.CacheDirectory!, recursive: true);
    }

    [Fact]
    public async Task QueriesGetThePrefixPassagesDoNot()
    {
        var folder = TestEncoders.Folder("arctic-xs");
        var settings = SentenceEmbeddingSettings.FromFolder(folder);
        Assert.Equal(PoolingMode.Cls, settings.Mode);
        Assert.Equal(BuiltInEncoder.ArcticXs.Options.QueryPrefix, settings.QueryPrefix);
        using var generator = LocalClientFactory.CreateEmbeddingGenerator(folder);
        const string text = "what is the capital of veltoria";
        var asQuery = (await generator.GenerateAsync([text], EmbeddingPurpose.Query()))[0].Vector.ToArray();
        var asPassage = (await generator.GenerateAsync([text]))[0].Vector.ToArray();
        var prefixed = (await generator.GenerateAsync([settings.QueryPrefix + text]))[0].Vector.ToArray();
        Assert.Equal(prefixed, asQuery);
        Assert.NotEqual(asPassage, asQuery);
        Assert.Null(SentenceEmbeddingSettings.FromFolder(TestEncoders.Folder("minilm")).QueryPrefix);
    }
}
