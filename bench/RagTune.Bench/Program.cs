if (args.Length > 0 && args[0] == "retrieval") return await RagTune.Bench.RetrievalBench.RunAsync(args[1..]);
Console.WriteLine("usage: dotnet run -c Release --project bench/RagTune.Bench -- <generation|training|retrieval>");
return 2;
