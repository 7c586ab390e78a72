using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using RagTune.Models;
using RagTune.Training.Lora;
using static TorchSharp.torch;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune model forward --model &lt;dir&gt; --input &lt;in.json&gt; --output &lt;out.json&gt;</c>: runs one forward pass of a
/// checkpoint on token ids and writes the raw outputs. in.json: <c>{"input_ids": [[…]], "attention_mask": [[…]],
/// "token_type_ids": [[…]]}</c> (mask and type ids optional). out.json: <c>{"outputs": {name: {"shape": […], "data": [flat
/// row-major floats]}}}</c> with <c>logits</c> (causal LM, classifier) or <c>last_hidden_state</c> and
/// <c>pooler_output</c> (encoder). Decoders derive positions from the mask (left padding = unpadded sequence).
/// </summary>
public sealed class ModelForwardCommand : ICliCommand
{
    /// <inheritdoc />
    public string? Group => "model";

    /// <inheritdoc />
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint folder (config.json + model.safetensors) or GGUF file.", Required = true };
        var input = new Option<string>("--input") { Description = "JSON file with input_ids (and optional attention_mask, token_type_ids).", Required = true };
        var output = new Option<string>("--output") { Description = "JSON file to write the outputs to.", Required = true };
        var command = new Command("forward", "Run one forward pass of a checkpoint on token ids and write the outputs as JSON.");
        command.Options.Add(model);
        command.Options.Add(input);
        command.Options.Add(output);
        // User errors on Console.Error; Run does not observe cancellation, so no token is passed.
        command.SetAction((ParseResult r, CancellationToken _) => CommandAction.RunAsync(() =>
        {
            Run(r.GetValue(model)!, r.GetValue(input)!, r.GetValue(output)!);
            return Task.FromResult(ExitCode.Ok);
        }, r.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Loads the model, runs the forward pass and writes the outputs.</summary>
    internal static void Run(string modelDir, string inputPath, string outputPath)
    {
        if (!Directory.Exists(modelDir) && !Models.Gguf.GgufModelLoader.IsGgufFile(modelDir)) throw new UserFacingException($"model folder '{modelDir}' does not exist.", ExitCode.NotFound);
        if (!File.Exists(inputPath)) throw new UserFacingException($"input file '{inputPath}' does not exist.", ExitCode.NotFound);
        var inputs = ReadInputs(inputPath);
        PretrainedModel loaded;
        try
        {
            loaded = AdapterFolder.LoadModelOrAdapter(modelDir);
        }
        catch (ModelLoadException e)
        {
            throw new UserFacingException(e.Message, ExitCode.BadInput, e);
        }
        using (loaded)
        using (no_grad())
        using (NewDisposeScope())
        {
            var vocab = loaded.Config.VocabSize;
            // Checked here: an out-of-range id would otherwise surface as a native indexing error.
            foreach (var id in inputs.Ids.SelectMany(x => x))
                if (id < 0 || id >= vocab) throw new UserFacingException($"{inputPath}: token id {id} is outside the vocabulary [0, {vocab}).");
            if (inputs.TokenTypes is not null && loaded.Config.ModelType == "bert")
                foreach (var id in inputs.TokenTypes.SelectMany(x => x))
                    if (id < 0 || id >= loaded.Config.TypeVocabSize)
                        throw new UserFacingException($"{inputPath}: token type id {id} is outside [0, {loaded.Config.TypeVocabSize}).");
            var ids = ToTensor(inputs.Ids);
            var mask = inputs.Mask is null ? null : ToTensor(inputs.Mask);
            var types = inputs.TokenTypes is null ? null : ToTensor(inputs.TokenTypes);
            var outputs = new Dictionary<string, Tensor>();
            switch (loaded)
            {
                case ICausalLanguageModel lm:
                    outputs["logits"] = lm.Forward(ids, mask);
                    break;
                case ISequenceClassifier classifier:
                    outputs["logits"] = classifier.Forward(ids, mask, types);
                    break;
                case IEncoderModel encoder:
                    var o = encoder.Forward(ids, mask, types);
                    outputs["last_hidden_state"] = o.LastHiddenState;
                    if (o.PoolerOutput is not null) outputs["pooler_output"] = o.PoolerOutput;
                    break;
                default:
                    throw new UserFacingException($"{loaded.Architecture} has no forward pass this command can run.");
            }
            WriteOutputs(outputPath, outputs);
        }
    }

    sealed record Inputs(long[][] Ids, long[][]? Mask, long[][]? TokenTypes);

    static Inputs ReadInputs(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new UserFacingException($"{path}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new UserFacingException($"{path}: not valid JSON ({e.Message}).", ExitCode.BadInput, e);
        }
        var ids = Matrix(root, "input_ids", path) ?? throw new UserFacingException($"{path}: \"input_ids\" (a list of equal-length lists of ints) is required.");
        if (ids.Length == 0 || ids[0].Length == 0) throw new UserFacingException($"{path}: \"input_ids\" is empty.");
        var mask = Matrix(root, "attention_mask", path);
        var types = Matrix(root, "token_type_ids", path);
        foreach (var (name, m) in new[] { ("attention_mask", mask), ("token_type_ids", types) })
            if (m is not null && (m.Length != ids.Length || m[0].Length != ids[0].Length))
                throw new UserFacingException($"{path}: \"{name}\" is {m.Length}×{m[0].Length}, expected {ids.Length}×{ids[0].Length} like input_ids.");
        return new Inputs(ids, mask, types);
    }

    static long[][]? Matrix(JsonObject root, string name, string path)
    {
        if (root[name] is null) return null;
        try
        {
            var rows = root[name]!.AsArray().Select(r => r!.AsArray().Select(v => v!.GetValue<long>()).ToArray()).ToArray();
            if (rows.Length > 0 && rows.Any(r => r.Length != rows[0].Length))
                throw new UserFacingException($"{path}: rows of \"{name}\" have different lengths.");
            return rows;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new UserFacingException($"{path}: \"{name}\" must be a list of lists of integers.", ExitCode.BadInput, e);
        }
    }

    static Tensor ToTensor(long[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), ScalarType.Int64).view(rows.Length, rows[0].Length);

    static void WriteOutputs(string path, Dictionary<string, Tensor> outputs)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream);
        w.WriteStartObject();
        w.WriteStartObject("outputs");
        foreach (var (name, t) in outputs)
        {
            w.WriteStartObject(name);
            w.WriteStartArray("shape");
            foreach (var d in t.shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteStartArray("data");
            foreach (var v in t.to_type(ScalarType.Float32).contiguous().data<float>()) w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
