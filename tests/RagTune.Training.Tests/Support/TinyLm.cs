using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RagTune.Training.Tests.Support;

/// <summary>A small pre-norm causal transformer with Llama-like module names, for trainer tests before/without the engine.
/// With <c>classes</c> &gt; 0 it classifies from the last real token (a <c>score</c> head) instead.</summary>
public sealed class TinyLm : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Embedding embed_tokens;
    readonly Embedding embed_positions;
    readonly ModuleList<Block> layers;
    readonly LayerNorm norm;
    readonly SlotLinear lm_head;
    readonly SlotLinear? score;

    public TinyLm(int vocab, int hidden, int nLayers, int heads, int maxLen, int classes = 0, ScalarType dtype = ScalarType.Float32) : base("TinyLm")
    {
        embed_tokens = nn.Embedding(vocab, hidden, dtype: dtype);
        embed_positions = nn.Embedding(maxLen, hidden, dtype: dtype);
        layers = new ModuleList<Block>(Enumerable.Range(0, nLayers).Select(_ => new Block(hidden, heads, dtype)).ToArray());
        norm = nn.LayerNorm(hidden, dtype: dtype);
        lm_head = new SlotLinear(hidden, vocab, dtype: dtype);
        if (classes > 0) score = new SlotLinear(hidden, classes, hasBias: true, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Logits [B,T,V], or [B,C] for a classifier.</summary>
    public override Tensor forward(Tensor ids, Tensor mask)
    {
        var t = ids.shape[1];
        var x = embed_tokens.forward(ids) + embed_positions.forward(arange(t, dtype: ScalarType.Int64));
        foreach (var b in layers) x = b.forward(x);
        x = norm.forward(x);
        if (score is null) return lm_head.forward(x);
        var last = mask.sum(1) - 1;                                             // index of the last real token
        var pooled = x[arange(ids.shape[0], dtype: ScalarType.Int64), last];   // (B, D)
        return score.forward(pooled);
    }

    sealed class Block : nn.Module<Tensor, Tensor>
    {
        readonly LayerNorm input_layernorm, post_attention_layernorm;
        readonly SlotLinear q_proj, k_proj, v_proj, o_proj, up_proj, down_proj;
        readonly int _heads;

        public Block(int d, int heads, ScalarType dtype) : base("Block")
        {
            _heads = heads;
            input_layernorm = nn.LayerNorm(d, dtype: dtype);
            post_attention_layernorm = nn.LayerNorm(d, dtype: dtype);
            q_proj = new SlotLinear(d, d, dtype: dtype); k_proj = new SlotLinear(d, d, dtype: dtype);
            v_proj = new SlotLinear(d, d, dtype: dtype); o_proj = new SlotLinear(d, d, dtype: dtype);
            up_proj = new SlotLinear(d, 2 * d, dtype: dtype); down_proj = new SlotLinear(2 * d, d, dtype: dtype);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var (b, t, d) = (x.shape[0], x.shape[1], x.shape[2]);
            var h = input_layernorm.forward(x);
            Tensor Split(Tensor y) => y.view(b, t, _heads, d / _heads).transpose(1, 2);   // (B, nh, T, hs)
            var a = nn.functional.scaled_dot_product_attention(Split(q_proj.forward(h)), Split(k_proj.forward(h)), Split(v_proj.forward(h)), is_casual: true);
            x = x + o_proj.forward(a.transpose(1, 2).reshape(b, t, d));
            return x + down_proj.forward(nn.functional.gelu(up_proj.forward(post_attention_layernorm.forward(x))));
        }
    }
}
