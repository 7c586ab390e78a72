using System.Diagnostics;
using RagTune.Models;
using RagTune.Training.Checkpoints;
using RagTune.Training.Data;
using RagTune.Training.Optim;
using RagTune.Training.Reporting;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace RagTune.Training;

/// <summary>
/// The training loop for any TorchSharp module: AdamW with decay groups, warmup + decay schedule, gradient
/// accumulation and clipping, NaN/Inf stop, periodic evaluation with early stopping and best-checkpoint keeping,
/// atomic checkpoints that <see cref="TrainerOptions.Resume"/> continues exactly (weights, moments, schedule step,
/// RNG, data position), metrics JSONL and a loss-curve PNG. Usable with in-memory <see cref="TrainingExample"/>s.
/// Randomness is the run's own: data order comes from a <see cref="Random"/> seeded per epoch and dropout from a
/// <see cref="Generator"/> seeded with <see cref="TrainerOptions.Seed"/> that is lent to the model's
/// <see cref="IRandomizedModule"/>s during <see cref="Train"/> and checkpointed; the process-wide torch RNG is never
/// seeded or read, so runs in parallel threads of one process give the weights each gives alone. The model must not
/// be shared by two runs at once.
/// </summary>
public sealed class Trainer
{
    readonly nn.Module _model;
    readonly Func<TrainingBatch, Tensor> _forward;
    readonly List<(string Name, Parameter Param)> _trainable;

    /// <summary>The run's options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Called after each logged step and each evaluation (default: nothing).</summary>
    public Action<TrainingProgress>? OnProgress { get; init; }

    /// <summary>Called with human-readable messages (resume, early stop, best checkpoint).</summary>
    public Action<string>? OnMessage { get; init; }

    /// <summary>
    /// The language model being trained, when it is one: then language-modelling losses come from its hidden states
    /// (<see cref="ICausalLanguageModel.ForwardHidden"/>), with the LM head applied to the labelled positions only and in
    /// chunks of <see cref="TrainingLoss.ChunkRows"/> rows (<see cref="TrainingLoss.CausalLmFromHidden"/>): the same
    /// loss, no vocabulary projection of prompts that carry no label, and no whole (B·T, V) logits tensor.
    /// </summary>
    public ICausalLanguageModel? LanguageModel { get; init; }

    /// <summary>
    /// Trains <paramref name="trainable"/> (default: the parameters of <paramref name="model"/> that require grad).
    /// <paramref name="forward"/> maps a batch to logits: <c>[B,T,V]</c> for language modelling, <c>[B,C]</c> for classification.
    /// </summary>
    public Trainer(nn.Module model, Func<TrainingBatch, Tensor> forward, TrainerOptions options,
                   IEnumerable<(string Name, Parameter Param)>? trainable = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.GradAccumSteps);
        (_model, _forward, Options) = (model, forward, options);
        // Tied weights (lm_head = embeddings) appear under two names; update each tensor once.
        var seen = new HashSet<IntPtr>();
        _trainable = (trainable ?? model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)))
            .Where(p => seen.Add(p.Item2.Handle)).ToList();
        if (_trainable.Count == 0) throw new ArgumentException("the model has no trainable parameters (all have requires_grad = false).", nameof(model));
    }

    /// <summary>Trainable parameter count (and the total, frozen included).</summary>
    public (long Trainable, long Total) ParameterCounts =>
        (_trainable.Sum(p => p.Param.numel()), _model.parameters().Sum(p => p.numel()));

    /// <summary>Runs training to the end (or early stop); returns the final state and last evaluation.</summary>
    public TrainingResult Train(IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample>? eval = null,
                                CancellationToken cancellationToken = default)
    {
        if (train.Count == 0) throw new DatasetException("the training set is empty.");
        var o = Options;
        Directory.CreateDirectory(o.OutputDir);
        var store = new CheckpointStore(o.OutputDir);
        var batchesPerEpoch = (train.Count + o.BatchSize - 1) / o.BatchSize;
        var totalSteps = o.MaxSteps > 0 ? o.MaxSteps : Math.Max(1, o.Epochs * batchesPerEpoch / o.GradAccumSteps);
        var schedule = new LrSchedule(o.LearningRate, (int)Math.Round(totalSteps * o.WarmupRatio), totalSteps, o.Decay);
        using var optimizer = new AdamW(_trainable, o.WeightDecay);

        using var generator = new Generator((ulong)o.Seed, torch.CPU);
        var state = new TrainerState { Seed = o.Seed, TotalSteps = totalSteps };
        if (o.Resume && store.Latest() is { } latest)
        {
            state = Restore(latest, optimizer, generator);
            OnMessage?.Invoke($"resuming from {latest} (step {state.Step}/{totalSteps})");
        }
        else if (o.Resume) OnMessage?.Invoke($"--resume: no checkpoint in {store.Root}, starting from step 0");
        var randomized = _model.modules().OfType<IRandomizedModule>().ToList();
        foreach (var m in randomized) m.Generator = generator;
        try { return TrainSteps(train, eval, o, store, optimizer, schedule, generator, state, batchesPerEpoch, totalSteps, cancellationToken); }
        finally { foreach (var m in randomized) m.Generator = null; }
    }

    TrainingResult TrainSteps(IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample>? eval, TrainerOptions o, CheckpointStore store,
                              AdamW optimizer, LrSchedule schedule, Generator generator, TrainerState state, int batchesPerEpoch, int totalSteps,
                              CancellationToken cancellationToken)
    {
        var metrics = new MetricsLog(o.OutputDir, o.Resume ? state.Step : null);

        EvalMetrics? lastEval = null;
        var stoppedEarly = false;
        var orderCache = (Epoch: -1, Order: Array.Empty<int>());
        int[]? lengths = null;
        var clock = Stopwatch.StartNew();
        // The ETA comes from the whole run's pace: one logging interval's is noisy when sequence lengths vary by batch.
        var runClock = Stopwatch.StartNew();
        var firstStep = state.Step;
        long tokensSinceLog = 0;
        double lossSinceLog = 0;
        var stepsSinceLog = 0;
        for (var step = state.Step; step < totalSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _model.train();
            double stepLoss = 0;
            for (var k = 0; k < o.GradAccumSteps; k++)
            {
                // Data order is a pure function of (seed, epoch), so the position is just the micro-batch index.
                var micro = (long)step * o.GradAccumSteps + k;
                var epoch = (int)(micro / batchesPerEpoch);
                if (orderCache.Epoch != epoch)
                {
                    var epochSeed = unchecked(o.Seed * 1_000_003 + epoch);
                    orderCache = (epoch, o.GroupByLength
                        ? DataSplit.LengthGroupedPermutation(lengths ??= train.Select(e => e.InputIds.Length).ToArray(), o.BatchSize, epochSeed)
                        : DataSplit.Permutation(train.Count, epochSeed));
                }
                var start = (int)(micro % batchesPerEpoch) * o.BatchSize;
                var examples = orderCache.Order.Skip(start).Take(o.BatchSize).Select(i => train[i]).ToList();
                using var scope = NewDisposeScope();
                using var batch = TrainingBatch.Collate(examples, o.PadTokenId, o.Classification);
                var loss = Loss(batch);
                var value = loss.item<float>();
                if (!float.IsFinite(value)) throw new TrainingDivergedException(step + 1, "the loss");
                (loss / o.GradAccumSteps).backward();
                stepLoss += value / o.GradAccumSteps;
                tokensSinceLog += batch.TokenCount;
            }
            var gradNorm = ClipGradients(o.MaxGradNorm);
            if (!double.IsFinite(gradNorm)) throw new TrainingDivergedException(step + 1, "the gradient norm");
            var lr = schedule.At(step);
            optimizer.Step(lr);
            optimizer.ZeroGrad();
            state = state with { Step = step + 1 };
            lossSinceLog += stepLoss;
            stepsSinceLog++;

            if (stepsSinceLog >= Math.Max(1, o.LogEvery) || state.Step == totalSteps)
            {
                var secs = clock.Elapsed.TotalSeconds;
                var eta = TimeSpan.FromSeconds(runClock.Elapsed.TotalSeconds / (state.Step - firstStep) * (totalSteps - state.Step));
                var p = new TrainingProgress(state.Step, totalSteps, lossSinceLog / stepsSinceLog, lr, gradNorm, tokensSinceLog / Math.Max(secs, 1e-9), eta);
                metrics.Append(p);
                OnProgress?.Invoke(p);
                (lossSinceLog, stepsSinceLog, tokensSinceLog) = (0, 0, 0);
                clock.Restart();
            }

            var evalNow = eval is { Count: > 0 } &&
                          (o.EvalEvery > 0 ? state.Step % o.EvalEvery == 0 : (long)state.Step * o.GradAccumSteps % batchesPerEpoch < o.GradAccumSteps)
                          || (eval is { Count: > 0 } && state.Step == totalSteps);
            if (evalNow)
            {
                lastEval = Evaluate(eval!);
                var p = new TrainingProgress(state.Step, totalSteps, lastEval.Loss, lr, 0, 0, TimeSpan.Zero, lastEval);
                metrics.Append(p);
                OnProgress?.Invoke(p);
                state = TrackBest(state, lastEval, store);
                if (o.EarlyStoppingPatience > 0 && state.EvalsWithoutImprovement >= o.EarlyStoppingPatience)
                {
                    OnMessage?.Invoke($"early stopping at step {state.Step}: no improvement for {state.EvalsWithoutImprovement} evaluations (best at step {state.BestStep})");
                    stoppedEarly = true;
                }
            }
            if ((o.SaveEvery > 0 && state.Step % o.SaveEvery == 0) || state.Step == totalSteps || stoppedEarly)
            {
                using var rngState = generator.get_state();
                store.Save(state, TrainableSnapshot(), optimizer.StateTensors(), rngState, o.KeepCheckpoints);
            }
            if (stoppedEarly) break;
        }

        // Early stopping means later steps overfit: finish with the best weights.
        if (stoppedEarly && Directory.Exists(store.BestDir)) LoadTrainable(CheckpointStore.LoadWeights(store.BestDir));
        if (o.PlotLoss)
        {
            var (trainPts, evalPts) = metrics.Points();
            LossCurvePlot.Save(Path.Combine(o.OutputDir, "loss.png"), trainPts, evalPts);
        }
        OnMessage?.Invoke($"metrics: {Path.GetFullPath(Path.Combine(o.OutputDir, "metrics.jsonl"))}" +
                          (o.PlotLoss ? $"; loss curve: {Path.GetFullPath(Path.Combine(o.OutputDir, "loss.png"))}" : ""));
        return new TrainingResult(state.Step, totalSteps, stoppedEarly, lastEval, state.BestMetric, state.BestStep);
    }

    /// <summary>Mean loss over <paramref name="data"/> (token-weighted for LM tasks), plus accuracy and macro-F1 for classification.</summary>
    public EvalMetrics Evaluate(IReadOnlyList<TrainingExample> data)
    {
        _model.eval();
        using var _ = no_grad();
        double lossSum = 0, weight = 0;
        var gold = new List<int>();
        var pred = new List<int>();
        for (var i = 0; i < data.Count; i += Options.BatchSize)
        {
            using var scope = NewDisposeScope();
            var examples = data.Skip(i).Take(Options.BatchSize).ToList();
            using var batch = TrainingBatch.Collate(examples, Options.PadTokenId, Options.Classification);
            if (!Options.Classification)
            {
                var n = TrainingLoss.CountedTokens(batch.Labels);
                if (n == 0) continue;
                lossSum += Loss(batch).item<float>() * n;   // token-weighted: each batch's loss is a mean over its n tokens
                weight += n;
                continue;
            }
            var logits = _forward(batch);
            lossSum += TrainingLoss.Classification(logits, batch.Labels).item<float>() * examples.Count;
            weight += examples.Count;
            gold.AddRange(examples.Select(e => e.ClassId));
            pred.AddRange(logits.argmax(-1).data<long>().ToArray().Select(x => (int)x));
        }
        var loss = weight > 0 ? lossSum / weight : double.NaN;
        if (!Options.Classification) return new EvalMetrics(loss);
        var (acc, f1) = EvalMetrics.Classification(gold, pred);
        return new EvalMetrics(loss, acc, f1);
    }

    Tensor Loss(TrainingBatch batch)
    {
        if (!Options.Classification && LanguageModel is { } lm) return ChunkedLoss(lm, batch);
        var logits = _forward(batch);
        return Options.Classification ? TrainingLoss.Classification(logits, batch.Labels) : TrainingLoss.CausalLm(logits, batch.Labels);
    }

    static Tensor ChunkedLoss(ICausalLanguageModel lm, TrainingBatch batch) =>
        TrainingLoss.CausalLmFromHidden(lm.ForwardHidden(batch.InputIds, batch.AttentionMask), lm.ProjectToVocabulary,
                                        batch.Labels, TrainingLoss.ChunkRows(lm.Config.VocabSize));

    double ClipGradients(double maxNorm)
    {
        var withGrad = _trainable.Select(p => p.Param).Where(p => p.grad is not null).ToList();
        if (withGrad.Count == 0) return 0;
        if (maxNorm > 0) return nn.utils.clip_grad_norm_(withGrad, maxNorm);
        using var scope = NewDisposeScope();
        return Math.Sqrt(withGrad.Sum(p => p.grad!.to(ScalarType.Float64).square().sum().item<double>()));
    }

    TrainerState TrackBest(TrainerState state, EvalMetrics e, CheckpointStore store)
    {
        // Classification tracks accuracy (higher is better); language modelling tracks eval loss (lower is better).
        var metric = Options.Classification ? -(e.Accuracy ?? 0) : e.Loss;
        if (state.BestMetric is null || metric < state.BestMetric.Value - 1e-12)
        {
            state = state with { BestMetric = metric, BestStep = state.Step, EvalsWithoutImprovement = 0 };
            store.SaveBest(state, TrainableSnapshot());
            return state;
        }
        return state with { EvalsWithoutImprovement = state.EvalsWithoutImprovement + 1 };
    }

    TrainerState Restore(string dir, AdamW optimizer, Generator generator)
    {
        var (state, weights, moments, rng) = CheckpointStore.Load(dir);
        if (state.Seed != Options.Seed)
            throw new InvalidOperationException($"{dir} was written with --seed {state.Seed}, this run has --seed {Options.Seed}. HINT: resume with the same options.");
        LoadTrainable(weights);
        optimizer.LoadState(moments, state.Step);
        if (rng is not null) { generator.set_state(rng); rng.Dispose(); }
        foreach (var t in weights.Values.Concat(moments.Values)) t.Dispose();
        return state;
    }

    Dictionary<string, Tensor> TrainableSnapshot() =>
        _trainable.ToDictionary(p => p.Name, p => (Tensor)p.Param, StringComparer.Ordinal);

    void LoadTrainable(IReadOnlyDictionary<string, Tensor> weights)
    {
        using var _ = no_grad();
        foreach (var (name, p) in _trainable)
        {
            if (!weights.TryGetValue(name, out var w))
                throw new InvalidDataException($"checkpoint has no tensor '{name}'. HINT: resume with the same model, --method and --target.");
            p.copy_(w);
        }
    }
}
