if (args is ["vectors", ..]) return RagTune.Bench.VectorBench.Run(args[1..]);
if (args is ["training", ..]) return RagTune.Bench.TrainingBench.Run(args[1..]);
Console.WriteLine("usage: dotnet run -c Release --project bench/RagTune.Bench -- <generation|training|retrieval>");
return 2;
