namespace RagTune.Evaluation;
