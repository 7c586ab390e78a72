namespace RagTune.Training.Data;

/// <summary>
/// Renders a conversation to the model's prompt text (a chat template's <c>Render</c>); with
/// <paramref name="addGenerationPrompt"/> the text ends where the assistant's answer begins.
/// </summary>
public delegate string ChatRenderer(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt);
