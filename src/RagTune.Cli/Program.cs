using RagTune.Cli;

return await CliApp.RunAsync(args);
