namespace RagTune.Training;
