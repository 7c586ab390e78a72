namespace RagTune.Retrieval;
