using RagTune.Cli;
using RagTune.Models.Kernels;

// The process's own choice, made once here and never by a library: freed tensor memory stays in the C heap for reuse.
NativeHeap.RetainFreedMemory();
return await CliApp.RunAsync(args);
