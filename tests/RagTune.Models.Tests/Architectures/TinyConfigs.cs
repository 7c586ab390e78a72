namespace RagTune.Models.Tests.Architectures;

/// <summary>Tiny configs shaped like real checkpoints' config.json (for approval tests without weights).</summary>
internal static class TinyConfigs
{
    public const string Llama2 = """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 96, "hidden_size": 32,
         "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
         "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": null,
         "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "torch_dtype": "float32"}
        """;

    public const string Mistral = """
        {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "vocab_size": 96, "hidden_size": 32,
         "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
         "max_position_embeddings": 128, "rms_norm_eps": 1e-5, "rope_theta": 1000000.0, "sliding_window": null,
         "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu"}
        """;

    /// <summary>Mistral with a 4-position sliding window (Mistral 7B v0.1 has 4096).</summary>
    public const string MistralWindowed = """
        {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "vocab_size": 96, "hidden_size": 32,
         "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
         "max_position_embeddings": 128, "rms_norm_eps": 1e-5, "rope_theta": 1000000.0, "sliding_window": 4,
         "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu"}
        """;

    public const string Qwen2 = """
        {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 96, "hidden_size": 32,
         "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
         "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "use_sliding_window": false,
         "tie_word_embeddings": true, "bos_token_id": 90, "eos_token_id": 91, "hidden_act": "silu"}
        """;

    public const string SmolLM2 = """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 96, "hidden_size": 32,
         "intermediate_size": 64, "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 1,
         "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "rope_theta": 100000, "rope_scaling": null,
         "tie_word_embeddings": true, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 2, "hidden_act": "silu"}
        """;

    public const string LlamaClassifier = """
        {"architectures": ["LlamaForSequenceClassification"], "model_type": "llama", "vocab_size": 96, "hidden_size": 32,
         "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
         "rms_norm_eps": 1e-5, "pad_token_id": 0, "id2label": {"0": "neg", "1": "pos"}, "label2id": {"neg": 0, "pos": 1}}
        """;

    public static ModelConfig Parse(string json) => ModelConfig.Parse(json, "tiny-config.json");
}
