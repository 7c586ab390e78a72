using RagTune.Models.Architectures.Bert;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>BertModel and BertForSequenceClassification (right padding, token types) against HF transformers 4.47.</summary>
public sealed class BertParityTests
{
    [Fact]
    public void BaseModelHiddenStatesAndPoolerMatch()
    {
        using var reference = new Parity("bert/base-model");
        using var model = ModelLoader.LoadEncoder(reference.Dir);
        Assert.IsType<BertModel>(model);
        using var _ = no_grad();
        using var output = model.Forward(reference["input_ids"], reference["attention_mask"], reference["token_type_ids"]);
        Parity.AssertClose(output.LastHiddenState, reference["last_hidden_state"], reference["attention_mask"], what: "last_hidden_state");
        // Padded positions are well defined too (keys-only masking).
        Parity.AssertClose(output.LastHiddenState, reference["last_hidden_state"], what: "last_hidden_state incl. padding");
        Parity.AssertClose(output.PoolerOutput!, reference["pooler_output"], what: "pooler_output");
    }

    [Fact]
    public void SequenceClassificationLogitsMatch()
    {
        using var reference = new Parity("bert/sequence-classification");
        using var model = ModelLoader.LoadSequenceClassifier(reference.Dir);
        Assert.IsType<BertForSequenceClassification>(model);
        Assert.Equal(3, model.NumLabels);
        using var _ = no_grad();
        using var logits = model.Forward(reference["input_ids"], reference["attention_mask"], reference["token_type_ids"]);
        Parity.AssertClose(logits, reference["logits"], what: "classifier logits");
    }

    [Fact]
    public void BaseModelLoadsFromClassifierCheckpointPrefix()
    {
        // The classifier folder's bert.* weights equal the base model's (FIXTURES.md §1.2); BertModel strips "bert.".
        using var model = ModelLoader.Load(RagTune.Tests.TestPaths.Parity("bert/sequence-classification"), new ModelLoadOptions { Architecture = "BertModel" });
        using var reference = new Parity("bert/base-model");
        using var _ = no_grad();
        using var output = ((IEncoderModel)model).Forward(reference["input_ids"], reference["attention_mask"], reference["token_type_ids"]);
        Parity.AssertClose(output.PoolerOutput!, reference["pooler_output"], what: "pooler_output via prefix mapping");
    }
}
