using RagTune.Models;
using RagTune.Models.Generation;
using RagTune.Tests;
using RagTune.Training.Lora;
using static TorchSharp.torch;
using RagTune.Tests.Gguf;

namespace RagTune.Training.Tests;

/// <summary>
/// A LoRA fine-tune exported for llama.cpp: the merged GGUF and the base GGUF + GGUF adapter both continue a prompt
/// exactly as our merged model does (llama3-style parity model, adapters on every projection, random A and B).
/// </summary>
public sealed class LoraGgufExportTests : IDisposable
{
    readonly string _dir = TinyTokenizers.ModelWithTokenizer(TestPaths.Parity("llama3-style"), 512);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Merged_export_and_gguf_adapter_continue_as_our_merged_model()
    {
        var adapterDir = Path.Combine(_dir, "adapter");
        using (var model = ModelLoader.Load(_dir))
        {
            var config = new LoraConfig { R = 4, Alpha = 8, Dropout = 0, BaseModelNameOrPath = _dir, TargetModules = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] };
            var lora = LoraModel.Attach(model.Module, config);
            using var generator = new Generator(7);
            using (no_grad())
                foreach (var a in lora.Adapters.Values)
                {
                    a.A.normal_(0, 0.2, generator);
                    a.B.normal_(0, 0.2, generator);
                }
            lora.SavePeft(adapterDir);
        }
        int[] prompt = [1, 300, 45, 17, 260, 99, 5, 410];
        List<int> ours;
        using (var merged = ModelLoader.Load(_dir))
        {
            var lora = PeftFiles.Load(merged.Module, adapterDir);
            lora.Merge();
            ours = [.. new TextGenerator((ICausalLanguageModel)merged).Generate(prompt, new GenerationOptions { MaxNewTokens = 16, StopTokenIds = [] }).TokenIds];
        }
        using (var baseOnly = ModelLoader.LoadCausalLanguageModel(_dir))
            Assert.NotEqual(ours, new TextGenerator(baseOnly).Generate(prompt, new GenerationOptions { MaxNewTokens = 16, StopTokenIds = [] }).TokenIds);

        var mergedGguf = Path.Combine(_dir, "merged.gguf");
        LoraGgufExport.ExportMerged(_dir, adapterDir, mergedGguf);
        using (var llama = new LlamaCpp(mergedGguf)) Assert.Equal(ours, llama.Greedy(prompt, 16));

        var baseGguf = Path.Combine(_dir, "base.gguf");
        var adapterGguf = Path.Combine(_dir, "adapter.gguf");
        LoraGgufExport.ExportMerged(_dir, null, baseGguf);
        LoraGgufExport.ExportAdapter(_dir, adapterDir, adapterGguf);
        using (var llama = new LlamaCpp(baseGguf, loraPath: adapterGguf)) Assert.Equal(ours, llama.Greedy(prompt, 16));
    }
}
