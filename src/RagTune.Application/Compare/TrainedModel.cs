namespace RagTune.Application.Compare;

/// <summary>A model an arm trained: its folder (merged Hugging Face checkpoint) and what training cost.</summary>
internal sealed record TrainedModel(string Kind, string Folder, double Seconds, double TokensPerSecond, double PeakWorkingSetMb,
                                    long AdapterBytes, long ModelBytes, string Hash);
