Console.WriteLine("usage: dotnet run -c Release --project bench/RagTune.Bench -- <generation|training|retrieval>");
return 2;
