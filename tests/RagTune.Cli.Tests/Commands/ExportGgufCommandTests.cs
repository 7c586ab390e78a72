using System.CommandLine;
using RagTune.Cli.Commands;
using RagTune.Models.SafeTensors;
using RagTune.Tests;

namespace RagTune.Cli.Tests.Commands;

/// <summary>The contract: <c>export gguf</c>, then <c>generate --model file.gguf --prompt-ids …</c> prints the same ids.</summary>
public sealed class ExportGgufCommandTests : IDisposable
{
    readonly string _dir = TestPaths.NewTempDir("ragtune-export-gguf");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static (int Exit, string Out, string Err) Run(ICliCommand verb, string name, params string[] args)
    {
        var root = new RootCommand();
        var command = verb.Build();
        if (verb.Group is { } group) root.Subcommands.Add(new Command(group) { command });
        else root.Subcommands.Add(command);
        var output = new StringWriter();
        var error = new StringWriter();
        var path = verb.Group is { } g ? new[] { g, name } : [name];
        var exit = root.Parse([.. path, .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("f32")]
    [InlineData("q8_0")]
    public void Exported_gguf_generates_the_reference_greedy_ids(string type)
    {
        // The parity model plus a tokenizer of its 512 tokens (GGUF carries the vocabulary).
        foreach (var file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(TestPaths.Parity("llama3-style"), file), Path.Combine(_dir, file));
        WriteTokenizer(_dir);
        var gguf = Path.Combine(_dir, "model.gguf");
        var (exit, _, error) = Run(new ExportGgufCommand(), "gguf", "--model", _dir, "--out", gguf, "--type", type);
        Assert.True(exit == 0, error);

        var tensors = SafeTensorsFile.LoadAll(Path.Combine(TestPaths.Parity("llama3-style"), "reference.safetensors"));
        var prompt = tensors["generation_prompt_ids"].data<long>().ToArray();
        var expected = tensors["generation_output_ids"].data<long>().ToArray()[prompt.Length..];
        foreach (var t in tensors.Values) t.Dispose();
        (exit, var output, error) = Run(new GenerateCommand(), "generate", "--model", gguf, "--prompt-ids", string.Join(",", prompt), "--max-new-tokens", "16", "--temperature", "0");
        Assert.True(exit == 0, error);
        var ids = output.TrimEnd().Split('\n')[^1].Trim().Split(',');
        // F32 is exact; Q8_0 rounding may flip a late near-tie, not the start.
        Assert.Equal(expected.Select(i => i.ToString()).Take(type == "f32" ? 16 : 4), ids.Take(type == "f32" ? 16 : 4));

        Assert.Equal(2, Run(new ExportGgufCommand(), "gguf", "--model", _dir, "--out", gguf, "--type", "q4_k").Exit);
    }

    static void WriteTokenizer(string dir)
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var extra = 256;
        var symbols = Enumerable.Range(0, 256).Select(b => ((char)(printable.Contains(b) ? b : extra++)).ToString()).ToList();
        var vocab = new System.Text.Json.Nodes.JsonObject { ["<pad>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        foreach (var s in symbols) vocab[s] = vocab.Count;
        var merges = new List<string>();
        for (var i = 0; vocab.Count < 512; i++)
        {
            merges.Add($"{symbols[65 + i % 26]} {symbols[65 + i / 26]}");
            vocab[symbols[65 + i % 26] + symbols[65 + i / 26]] = vocab.Count;
        }
        File.WriteAllText(Path.Combine(dir, "vocab.json"), vocab.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n" + string.Join("\n", merges) + "\n");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": true}""");
    }
}
