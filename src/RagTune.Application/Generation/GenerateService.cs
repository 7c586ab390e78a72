using Microsoft.Extensions.AI;
using RagTune.Models.Generation;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;

namespace RagTune.Application;

/// <summary>Prepares generation with a local decoder: resolves the model (hub ids are downloaded), loads it, encodes the prompt.</summary>
public static class GenerateService
{
    /// <summary>
    /// Validates the request, resolves and loads the model and encodes the prompt (through the chat template with
    /// <see cref="GenerateRequest.Chat"/>). <paramref name="progress"/> hears about hub downloads. Dispose the session.
    /// </summary>
    /// <exception cref="ServiceException">Bad arguments, a missing model, or files that do not load.</exception>
    public static async Task<GenerationSession> OpenAsync(GenerateRequest request, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.Prompt is null) == (request.PromptIds is null))
            throw new ServiceException("Pass exactly one of --prompt <text> or --prompt-ids <i,j,k>.", ServiceErrorKind.BadArguments);
        if (request.Chat && request.Prompt is null) throw new ServiceException("--chat needs --prompt <text>.", ServiceErrorKind.BadArguments);
        if (request.PromptIds is { Count: 0 }) throw new ServiceException("--prompt-ids is empty.", ServiceErrorKind.BadArguments);
        try
        {
            request.Options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ServiceException($"{e.ParamName} = {e.ActualValue} is out of range. {e.Message.Split('\n')[0]}", ServiceErrorKind.BadArguments);
        }

        var dir = await ModelClients.ResolveFolderAsync(request.Model, request.ModelOptions, progress, cancellationToken);
        var model = ModelClients.LoadCausalLanguageModel(dir, request.ModelOptions);
        try
        {
            var tokenizer = request.Prompt is not null || (TokenizerFiles.ArePresentIn(dir) || Models.Gguf.GgufModelLoader.IsGgufFile(dir)) ? ModelClients.LoadTokenizer(dir) : null;
            var options = request.Options with { StopTokenIds = GenerationConfig.FromFolder(dir).StopTokenIds };
            var prompt = request.PromptIds ?? EncodePrompt(dir, tokenizer!, request.Prompt!, request.Chat);
            if (prompt.FirstOrDefault(i => i >= model.Config.VocabSize, -1) is var bad and >= 0)
                throw new ServiceException($"Prompt token id {bad} is outside the model's vocabulary (size {model.Config.VocabSize}).", ServiceErrorKind.BadArguments);
            return new GenerationSession(model, tokenizer, prompt, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    static IReadOnlyList<int> EncodePrompt(string dir, ITokenizer tokenizer, string prompt, bool chat)
    {
        if (!chat) return tokenizer.Encode(prompt);
        var template = LoadErrors.Guard(dir, () => ChatTemplate.FromFolder(dir)) ?? throw new ServiceException(
            $"{dir} has no chat template. HINT: drop --chat, or use an instruct checkpoint.", ServiceErrorKind.BadInput);
        // The template writes BOS itself, so no special tokens are added (as apply_chat_template).
        return tokenizer.Encode(template.Render([new ChatMessage(ChatRole.User, prompt)], addGenerationPrompt: true), addSpecialTokens: false);
    }
}
