using RagTune.Bench;
using RagTune.Models.Kernels;

// As the CLI does: freed tensor memory stays in the C heap for reuse (a process-level choice, see NativeHeap).
NativeHeap.RetainFreedMemory();

// Subcommands by first argument; each prints a table and writes bench/results/<name>.json.
switch (args.FirstOrDefault())
{
    case "generation":
        return GenerationBench.Run(args[1..]);
    case "retrieval":
        return await RetrievalBench.RunAsync(args[1..]);
    case "training":
        return TrainingBench.Run(args[1..]);
    case "lm-loss":
        return LmLossBench.Run(args[1..]);
    case "embeddings":
        return await EmbeddingBench.RunAsync(args[1..]);
    case "serve":
        return await ServeBench.RunAsync(args[1..]);
    case "vectors":
        return VectorBench.Run(args[1..]);
    case "gemm":
        return GemmBench.Run(args[1..]);
    case "machine":
        TorchSharp.torch.set_num_threads(2);
        Console.WriteLine($"memory read bandwidth: {MachineBench.MemoryReadBandwidth():F2} GB/s");
        Console.WriteLine($"fp32 GEMM 2048²:       {MachineBench.GemmGflops():F1} GFLOP/s");
        return 0;
    default:
        Console.WriteLine("usage: dotnet run -c Release --project bench/RagTune.Bench -- <generation [--vs-llamacpp]|machine|gemm|training|lm-loss|vectors|retrieval|embeddings|serve>");
        return 2;
}
