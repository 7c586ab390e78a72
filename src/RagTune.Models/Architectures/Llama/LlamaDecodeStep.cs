using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RagTune.Models.Kernels;
using TorchSharp;
using static TorchSharp.torch;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Architectures.Llama;

/// <summary>
/// The cached decode step of <see cref="LlamaForCausalLM"/> — every row feeds one new token — written as plain loops
/// over the weights and run on <see cref="DecodeTeam"/>. It computes what <see cref="LlamaModel"/> computes for T = 1
/// (same order of operations, fp32), but a step is ~150 parallel phases instead of ~40 libtorch calls per layer, each
/// weight matrix is streamed from memory exactly once for all rows, q/k/v and gate/up share a phase, SiLU·up is applied
/// as the rows come out and residual adds happen in the output projections. Decoding is bound by memory bandwidth;
/// this is what lets it get close to that bound on a CPU.
/// <para>
/// Used when it applies (inference, KV cache, fp32 activations, fp32/bf16/int8 row-major weights, no adapters, AVX2+FMA,
/// rope types other than dynamic) and the model's <see cref="LlamaForCausalLM.UseDecodeKernel"/> is on (from
/// <see cref="ModelLoadOptions.DecodeKernel"/>); otherwise the model runs its libtorch path.
/// </para>
/// </summary>
public static unsafe class LlamaDecodeStep
{
    /// <summary>Largest batch the step handles (beyond it a GEMM reads weights as efficiently).</summary>
    public const int MaxBatch = 8;

    const int GrainBytes = 16 * 1024;

    /// <summary>Logits (B, 1, V) for one new token per row, or null when the step does not apply.</summary>
    internal static Tensor? TryForward(LlamaForCausalLM m, Tensor inputIds, Tensor? attentionMask, Tensor? positionIds, KvCache? cache)
    {
        if (!m.UseDecodeKernel || cache is null || !Gemv.IsSupported || is_grad_enabled() || m.BlockInvoker is not null) return null;
        if (inputIds.dim() != 2 || inputIds.shape[1] != 1 || inputIds.shape[0] > MaxBatch || inputIds.shape[0] != cache.BatchSize) return null;
        if (m.DType != ScalarType.Float32 || cache.Length + 1 > cache.MaxLength || m.model.Rotary.IsDynamic) return null;
        var c = m.Config;
        if (c.HiddenSize % 8 != 0 || c.IntermediateSize % 8 != 0 || c.HeadDim % 8 != 0) return null;
        var weights = Weights.For(m);
        if (weights is null) return null;
        return new Step(m, weights, inputIds, attentionMask, positionIds, cache).Run();
    }

    /// <summary>
    /// Pointers to every parameter a step reads. Gathering them costs ~2000 native calls, so they are kept per model and
    /// reused while the model still holds the same parameter objects and no adapter: in-place updates (training, loading
    /// a state dict) keep the storage, anything that replaces a parameter (a dtype change) makes a new object.
    /// </summary>
    sealed class Weights
    {
        static readonly ConditionalWeakTable<LlamaForCausalLM, Weights> Cache = new();

        public required float* Embedding, FinalNorm;
        public required WeightRows Head;
        public required Layer[] Layers;
        public required List<Tensor> Keep; // fp32 copies of bf16 biases, alive as long as these pointers
        public required float[] InverseFrequencies;

        public sealed class Layer
        {
            public required float* InputNorm, PostNorm;
            public required WeightRows Q, K, V, O, Gate, Up, Down;
            public required float* QBias, KBias, VBias, OBias, GateBias, UpBias, DownBias;
        }

        public static Weights? For(LlamaForCausalLM m)
        {
            if (Cache.TryGetValue(m, out var cached) && cached.IsCurrent(m)) return cached;
            var gathered = TryGather(m);
            if (gathered is not null) Cache.AddOrUpdate(m, gathered);
            return gathered;
        }

        static Linear[] Projections(LlamaDecoderLayer l) =>
            [l.self_attn.q_proj, l.self_attn.k_proj, l.self_attn.v_proj, l.self_attn.o_proj, l.mlp.gate_proj, l.mlp.up_proj, l.mlp.down_proj];

        /// <summary>The modules whose parameters the pointers come from, and those parameters as they were then.</summary>
        public required Linear[] Linears;
        public required Nn.RmsNorm[] Norms;
        public required object?[] Sources;

        static object?[] SourcesOf(Linear[] linears, Nn.RmsNorm[] norms, Tensor embedding) =>
            [.. linears.SelectMany(l => new object?[] { l.weight, l.weight_scale, l.bias, l.Adapter }), .. norms.Select(n => n.weight), embedding];

        /// <summary>Allocation-free check, run every step: same parameter objects, no adapter attached since.</summary>
        bool IsCurrent(LlamaForCausalLM m)
        {
            if (!ReferenceEquals(m.model.embed_tokens.weight, Sources[^1])) return false;
            var k = 0;
            foreach (var l in Linears)
                if (!ReferenceEquals(l.weight, Sources[k++]) || !ReferenceEquals(l.weight_scale, Sources[k++])
                    || !ReferenceEquals(l.bias, Sources[k++]) || !ReferenceEquals(l.Adapter, Sources[k++])) return false;
            foreach (var n in Norms)
                if (!ReferenceEquals(n.weight, Sources[k++])) return false;
            return true;
        }

        static Weights? TryGather(LlamaForCausalLM m)
        {
            var keep = new List<Tensor>();
            if (!IsPlainF32(m.model.embed_tokens.weight) || !IsPlainF32(m.model.norm.weight)) return null;
            var layers = new Layer[m.model.layers.Count];
            for (var i = 0; i < layers.Length; i++)
            {
                var l = m.model.layers[i];
                var (a, p) = (l.self_attn, l.mlp);
                if (!Projections(l).All(Applies) || !IsPlainF32(l.input_layernorm.weight) || !IsPlainF32(l.post_attention_layernorm.weight)) return null;
                layers[i] = new Layer
                {
                    InputNorm = TensorMemory.Pointer<float>(l.input_layernorm.weight),
                    PostNorm = TensorMemory.Pointer<float>(l.post_attention_layernorm.weight),
                    Q = Rows(a.q_proj), K = Rows(a.k_proj), V = Rows(a.v_proj), O = Rows(a.o_proj),
                    Gate = Rows(p.gate_proj), Up = Rows(p.up_proj), Down = Rows(p.down_proj),
                    QBias = Bias(a.q_proj, keep), KBias = Bias(a.k_proj, keep), VBias = Bias(a.v_proj, keep), OBias = Bias(a.o_proj, keep),
                    GateBias = Bias(p.gate_proj, keep), UpBias = Bias(p.up_proj, keep), DownBias = Bias(p.down_proj, keep),
                };
            }
            if (!Applies(m.lm_head) || m.lm_head.bias is not null) return null;
            Linear[] linears = [.. m.model.layers.SelectMany(Projections), m.lm_head];
            Nn.RmsNorm[] norms = [.. m.model.layers.SelectMany(l => new[] { l.input_layernorm, l.post_attention_layernorm }), m.model.norm];
            return new Weights
            {
                Embedding = TensorMemory.Pointer<float>(m.model.embed_tokens.weight),
                FinalNorm = TensorMemory.Pointer<float>(m.model.norm.weight),
                Head = Rows(m.lm_head),
                Layers = layers,
                Keep = keep,
                InverseFrequencies = m.model.Rotary.InverseFrequencies.data<float>().ToArray(),
                Linears = linears,
                Norms = norms,
                Sources = SourcesOf(linears, norms, m.model.embed_tokens.weight),
            };
        }

        static bool IsPlainF32(Tensor t) => t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous();

        static bool Applies(Linear l) =>
            l.Adapter is null && !l.IsConv1D && l.weight.device_type == DeviceType.CPU && l.weight.is_contiguous()
            && (l.bias is null || l.bias.is_contiguous())
            && (l.weight.dtype is ScalarType.Float32 or ScalarType.BFloat16
                || l.weight.dtype == ScalarType.Int8 && l.weight_scale is { } s && s.dtype == ScalarType.Float32 && s.is_contiguous());

        static WeightRows Rows(Linear l) => l.weight.dtype switch
        {
            ScalarType.Float32 => new(TensorMemory.Pointer<byte>(l.weight), WeightFormat.F32, (int)l.weight.shape[0], (int)l.weight.shape[1]),
            ScalarType.BFloat16 => new(TensorMemory.Pointer<byte>(l.weight), WeightFormat.Bf16, (int)l.weight.shape[0], (int)l.weight.shape[1]),
            _ => new(TensorMemory.Pointer<byte>(l.weight), WeightFormat.Int8, (int)l.weight.shape[0], (int)l.weight.shape[1],
                TensorMemory.Pointer<float>(l.weight_scale!)),
        };

        static float* Bias(Linear l, List<Tensor> keep)
        {
            if (l.bias is null) return null;
            if (l.bias.dtype == ScalarType.Float32) return TensorMemory.Pointer<float>(l.bias);
            var wide = l.bias.to_type(ScalarType.Float32).contiguous();
            keep.Add(wide);
            return TensorMemory.Pointer<float>(wide);
        }
    }

    readonly struct Output(WeightRows w, float* bias, float* y)
    {
        public readonly WeightRows W = w;
        public readonly float* Bias = bias, Y = y;
    }

    /// <summary>One step's state: activations of all rows, positions, masks, and the phases that fill them.</summary>
    sealed class Step
    {
        readonly LlamaForCausalLM _model;
        readonly Weights _w;
        readonly KvCache _cache;
        readonly int _batch, _hidden, _inter, _heads, _kvHeads, _headDim, _past, _length;
        readonly float _eps;
        readonly long[] _ids;
        readonly bool[]? _allowed; // (B, length): false where the mask hides a position
        readonly float[] _cos, _sin; // (B, headDim / 2)
        readonly DecodeTeam _team = DecodeTeam.Shared;

        public Step(LlamaForCausalLM model, Weights weights, Tensor inputIds, Tensor? attentionMask, Tensor? positionIds, KvCache cache)
        {
            var c = model.Config;
            (_model, _w, _cache) = (model, weights, cache);
            (_batch, _hidden, _inter) = ((int)inputIds.shape[0], c.HiddenSize, c.IntermediateSize);
            (_heads, _kvHeads, _headDim) = (c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim);
            (_past, _length) = (cache.Length, cache.Length + 1);
            _eps = (float)c.RmsNormEps;
            _ids = Int64Values(inputIds);
            foreach (var id in _ids)
                if (id < 0 || id >= c.VocabSize) throw new ArgumentOutOfRangeException(nameof(inputIds), $"token id {id} is outside the vocabulary [0, {c.VocabSize}).");

            var positions = new long[_batch];
            if (attentionMask is not null)
            {
                if (attentionMask.shape[0] != _batch || attentionMask.shape[1] != _length)
                    throw new ArgumentException($"attention mask is [{string.Join(", ", attentionMask.shape)}], expected [{_batch}, past ({_past}) + new (1) = {_length}].", nameof(attentionMask));
                var mask = Int64Values(attentionMask);
                _allowed = new bool[mask.Length];
                for (var i = 0; i < mask.Length; i++)
                {
                    _allowed[i] = mask[i] != 0;
                    if (_allowed[i]) positions[i / _length]++;
                }
                for (var b = 0; b < _batch; b++) positions[b]--; // HF: cumsum(mask) − 1 at the new token
            }
            else Array.Fill(positions, _past);
            if (positionIds is not null)
            {
                positions = Int64Values(positionIds);
                if (positions.Length != _batch)
                    throw new ArgumentException($"position ids are [{string.Join(", ", positionIds.shape)}], expected [{_batch}, 1].", nameof(positionIds));
            }

            // cos/sin of θ_i·p in fp32, as the rotary tables are computed (position and frequency multiplied in fp32).
            var inv = weights.InverseFrequencies;
            _cos = new float[_batch * inv.Length];
            _sin = new float[_batch * inv.Length];
            for (var b = 0; b < _batch; b++)
                for (var i = 0; i < inv.Length; i++)
                {
                    var angle = (float)positions[b] * inv[i];
                    _cos[b * inv.Length + i] = MathF.Cos(angle);
                    _sin[b * inv.Length + i] = MathF.Sin(angle);
                }
        }

        /// <summary>The values of a small tensor; the conversions stay out of the caller's dispose scope.</summary>
        static long[] Int64Values(Tensor t)
        {
            if (t.dtype == ScalarType.Int64 && t.is_contiguous()) return t.data<long>().ToArray();
            using var scope = NewDisposeScope();
            return t.to_type(ScalarType.Int64).contiguous().data<long>().ToArray();
        }

        public Tensor Run()
        {
            var (qDim, kvDim) = (_heads * _headDim, _kvHeads * _headDim);
            var logits = empty(_batch, 1, _model.Config.VocabSize, ScalarType.Float32);
            float* scratch = null;
            try
            {
                int[] sizes = [_batch * _hidden, _batch * _hidden, _batch * qDim, _batch * kvDim, _batch * kvDim, _batch * qDim,
                    _batch * _inter, _batch * _inter, _batch * _heads * _length];
                // Each buffer starts on a 64-byte line (sizes rounded up to 16 floats).
                scratch = (float*)NativeMemory.AlignedAlloc((nuint)(sizes.Sum(n => (n + 15) / 16 * 16) * sizeof(float)), 64);
                var buffers = new float*[sizes.Length];
                for (int i = 0, offset = 0; i < sizes.Length; offset += (sizes[i] + 15) / 16 * 16, i++) buffers[i] = scratch + offset;
                float* ph = buffers[0], px = buffers[1], pq = buffers[2], pk = buffers[3], pv = buffers[4], pa = buffers[5],
                    pg = buffers[6], pu = buffers[7], ps = buffers[8];
                for (var b = 0; b < _batch; b++)
                    new Span<float>(_w.Embedding + _ids[b] * _hidden, _hidden).CopyTo(new Span<float>(ph + b * _hidden, _hidden));
                for (var i = 0; i < _w.Layers.Length; i++)
                {
                    var l = _w.Layers[i];
                    float* keys = TensorMemory.Pointer<float>(_cache.KeyBuffer(i)), values = TensorMemory.Pointer<float>(_cache.ValueBuffer(i));
                    // h += o(attention(rope(q), rope(k), v)) with x = norm(h)
                    RmsNorm(ph, l.InputNorm, px);
                    Projections(px, new(l.Q, l.QBias, pq), new(l.K, l.KBias, pk), new(l.V, l.VBias, pv));
                    Rope(pq, _heads);
                    Rope(pk, _kvHeads);
                    AppendToCache(pk, pv, keys, values);
                    Attention(pq, keys, values, ps, pa, _model.model.SlidingWindows[i]);
                    Accumulate(l.O, l.OBias, pa, ph);
                    // h += down(silu(gate(x)) ⊙ up(x)) with x = norm(h)
                    RmsNorm(ph, l.PostNorm, px);
                    SwiGlu(l, px, pg, pu);
                    Accumulate(l.Down, l.DownBias, pg, ph);
                }
                RmsNorm(ph, _w.FinalNorm, px);
                var head = _w.Head;
                var pl = TensorMemory.Pointer<float>(logits);
                RowChunks(head, (s, e) => Gemv.Rows(head, px, _batch, pl, head.Rows, s, e, null, accumulate: false));
                _cache.Advance(1);
                GC.KeepAlive(_model);
                return logits;
            }
            catch
            {
                logits.Dispose();
                throw;
            }
            finally
            {
                NativeMemory.AlignedFree(scratch);
            }
        }

        /// <summary>y = w ⊙ x / sqrt(mean(x²) + ε) per row (HF LlamaRMSNorm in fp32).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first token: skip the unoptimised tier
        void RmsNorm(float* x, float* weight, float* y)
        {
            for (var b = 0; b < _batch; b++)
            {
                var xb = x + b * _hidden;
                var yb = y + b * _hidden;
                var scale = 1f / MathF.Sqrt(Gemv.Dot(xb, xb, _hidden) / _hidden + _eps);
                for (var i = 0; i < _hidden; i++) yb[i] = weight[i] * (xb[i] * scale);
            }
        }

        /// <summary>Several projections of the same input in one phase (q, k and v), chunked over their stacked rows.</summary>
        void Projections(float* x, params Output[] outputs)
        {
            var starts = new int[outputs.Length + 1];
            for (var i = 0; i < outputs.Length; i++) starts[i + 1] = starts[i] + outputs[i].W.Rows;
            _team.Run(starts[^1], Grain(outputs[0].W), (s, e) =>
            {
                for (var i = 0; i < outputs.Length; i++)
                {
                    var (from, to) = (Math.Max(s, starts[i]) - starts[i], Math.Min(e, starts[i + 1]) - starts[i]);
                    var o = outputs[i];
                    if (from < to) Gemv.Rows(o.W, x, _batch, o.Y, o.W.Rows, from, to, o.Bias, accumulate: false);
                }
            });
        }

        /// <summary>y += W·x (+ b): the output projections write straight into the residual stream.</summary>
        void Accumulate(WeightRows w, float* bias, float* x, float* y) =>
            RowChunks(w, (s, e) => Gemv.Rows(w, x, _batch, y, w.Rows, s, e, bias, accumulate: true));

        /// <summary>gate ← silu(gate(x)) ⊙ up(x), row block by row block.</summary>
        void SwiGlu(Weights.Layer l, float* x, float* gate, float* up) =>
            RowChunks(l.Gate, (s, e) =>
            {
                Gemv.Rows(l.Gate, x, _batch, gate, _inter, s, e, l.GateBias, accumulate: false);
                Gemv.Rows(l.Up, x, _batch, up, _inter, s, e, l.UpBias, accumulate: false);
                for (var b = 0; b < _batch; b++) VectorOps.SiluTimes(gate + b * _inter + s, up + b * _inter + s, e - s);
            });

        /// <summary>HF rotate_half RoPE in place: x' = x·cos + rotate_half(x)·sin, rotate_half(x) = [−x₂, x₁].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first token: skip the unoptimised tier
        void Rope(float* x, int heads)
        {
            var half = _headDim / 2;
            for (var b = 0; b < _batch; b++)
                for (var hd = 0; hd < heads; hd++)
                {
                    var p = x + (b * heads + hd) * _headDim;
                    for (var i = 0; i < half; i++)
                    {
                        var (c, s) = (_cos[b * half + i], _sin[b * half + i]);
                        var (x1, x2) = (p[i], p[i + half]);
                        p[i] = x1 * c + -x2 * s;
                        p[i + half] = x2 * c + x1 * s;
                    }
                }
        }

        /// <summary>Writes the new keys and values at position <c>past</c> of the cache's (B, n_kv, max, hd) buffers.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first token: skip the unoptimised tier
        void AppendToCache(float* k, float* v, float* keys, float* values)
        {
            for (var b = 0; b < _batch; b++)
                for (var g = 0; g < _kvHeads; g++)
                {
                    var dst = ((long)(b * _kvHeads + g) * _cache.MaxLength + _past) * _headDim;
                    var src = (b * _kvHeads + g) * _headDim;
                    new Span<float>(k + src, _headDim).CopyTo(new Span<float>(keys + dst, _headDim));
                    new Span<float>(v + src, _headDim).CopyTo(new Span<float>(values + dst, _headDim));
                }
        }

        /// <summary>softmax(q·kᵀ/√d + mask)·v per (row, head); query head h reads KV head h / (n_heads / n_kv).</summary>
        void Attention(float* q, float* keys, float* values, float* scores, float* output, int? window)
        {
            // The new token sits in slot `past`; a window w keeps slots past − w < j ≤ past.
            var first = window is { } w ? Math.Max(0, _length - w) : 0;
            _team.Run(_batch * _heads, 1, (from, to) =>
            {
                for (var i = from; i < to; i++) AttendOne(i / _heads, i % _heads, first, q, keys, values, scores, output);
            });
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first token: skip the unoptimised tier
        void AttendOne(int b, int head, int first, float* q, float* keys, float* values, float* scores, float* output)
        {
            var index = b * _heads + head;
            var qh = q + index * _headDim;
            var kvBase = (long)(b * _kvHeads + head / (_heads / _kvHeads)) * _cache.MaxLength * _headDim;
            var s = scores + index * _length;
            // Scores over the visible slots [first, length); masked (padding) slots become −∞, i.e. weight 0.
            var visible = _length - first;
            VectorOps.DotRows(qh, keys + kvBase + (long)first * _headDim, visible, _headDim, 1f / MathF.Sqrt(_headDim), s);
            var max = float.NegativeInfinity;
            for (var j = 0; j < visible; j++)
            {
                if (_allowed is not null && !_allowed[b * _length + first + j]) s[j] = float.NegativeInfinity;
                else max = MathF.Max(max, s[j]);
            }
            var sum = VectorOps.ExpShiftedInPlace(s, visible, max);
            VectorOps.WeightedSum(s, values + kvBase + (long)first * _headDim, visible, _headDim, 1f / sum, output + index * _headDim);
        }

        /// <summary>Runs <paramref name="rows"/>(start, end) over the rows of <paramref name="w"/> on the team.</summary>
        void RowChunks(WeightRows w, Action<int, int> rows) => _team.Run(w.Rows, Grain(w), rows);

        // Claims shrink toward ~16 KiB of weights at the end of a phase, enough to keep the prefetchers streaming.
        static int Grain(WeightRows w) => Math.Max(1, GrainBytes / w.RowBytes);
    }
}
