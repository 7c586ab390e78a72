namespace RagTune.Models;
