namespace RagTune.Application;

/// <summary>What went wrong in a <see cref="ServiceException"/>; front ends map it (CLI exit code, HTTP status).</summary>
public enum ServiceErrorKind
{
    /// <summary>The request's arguments contradict each other or are out of range (CLI exit 2, HTTP 400).</summary>
    BadArguments,
    /// <summary>A file or model exists but its content is invalid (CLI exit 3, HTTP 422).</summary>
    BadInput,
    /// <summary>A folder, file, model or knowledge base does not exist (CLI exit 4, HTTP 404).</summary>
    NotFound,
    /// <summary>The operation failed for another reason (I/O, training diverged; CLI exit 1, HTTP 500).</summary>
    Failure,
}
