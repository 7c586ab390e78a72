using RagTune.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training;

/// <summary>
/// Gradient checkpointing per transformer block (Chen et al., https://arxiv.org/abs/1604.06174): the forward keeps only
/// each block's input; backward re-runs the block with grad enabled and back-propagates through the recomputed graph
/// (what <c>torch.utils.checkpoint</c> does with <c>use_reentrant=True</c>). TorchSharp has no utility for it, so
/// this is a custom autograd function plugged into <see cref="IPretrainedModel.BlockInvoker"/>.
/// </summary>
public static class GradientCheckpointing
{
    /// <summary>Set as a model's <see cref="IPretrainedModel.BlockInvoker"/> while training.</summary>
    public static Tensor Invoker(ITransformerBlock block, Tensor hidden, BlockContext context) =>
        is_grad_enabled() && hidden.requires_grad ? CheckpointedBlock.apply(block, hidden, context) : block.Forward(hidden, context);

    sealed class CheckpointedBlock : autograd.SingleTensorFunction<CheckpointedBlock>
    {
        public override string Name => "CheckpointedBlock";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (block, hidden, context) = ((ITransformerBlock)vars[0], (Tensor)vars[1], (BlockContext)vars[2]);
            ctx.save_for_backward([hidden]);
            ctx.save_data("block", block);
            // The model frees its mask and RoPE tables when its forward ends; keep private copies for the recompute.
            static Tensor? Keep(Tensor? t) => t?.detach().clone().DetachFromDisposeScope();
            ctx.save_data("context", context with { AttentionBias = Keep(context.AttentionBias), Cos = Keep(context.Cos), Sin = Keep(context.Sin), Cache = null });
            // Dropout must draw the same mask when the block is recomputed: keep the state of each generator the
            // block's randomized modules draw from (never the process-wide one).
            ctx.save_data("rng", Generators(block).Select(g => (g, g.get_state().DetachFromDisposeScope())).ToList());
            return block.Forward(hidden, context);   // TorchSharp runs forward with grad disabled: no activations kept
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var hidden = ctx.get_saved_variables()[0];
            var block = (ITransformerBlock)ctx.get_data("block");
            var context = (BlockContext)ctx.get_data("context");
            var saved = (List<(Generator Generator, Tensor State)>)ctx.get_data("rng");
            var rngNow = saved.Select(s => (s.Generator, State: s.Generator.get_state())).ToList();
            foreach (var (g, state) in saved) { g.set_state(state); state.Dispose(); }
            Tensor inputGrad;
            using (enable_grad())
            {
                var x = hidden.detach().requires_grad_(true);
                var y = block.Forward(x, context);
                // Re-entrant backward: accumulates the block's parameter gradients and gives the input gradient.
                y.backward([gradOutput]);
                inputGrad = x.grad!;
            }
            foreach (var (g, state) in rngNow) { g.set_state(state); state.Dispose(); }
            context.AttentionBias?.Dispose();
            context.Cos?.Dispose();
            context.Sin?.Dispose();
            return [null!, inputGrad, null!];   // one entry per apply() argument: block, hidden, context
        }

        static IEnumerable<Generator> Generators(ITransformerBlock block) =>
            block is nn.Module m
                ? m.modules().OfType<IRandomizedModule>().Select(r => r.Generator).OfType<Generator>().Distinct()
                : [];
    }
}
