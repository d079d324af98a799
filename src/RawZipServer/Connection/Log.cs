using Microsoft.Extensions.Logging;

namespace RawZipServer.Connection;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "{ConnectionId}: archive '{ArchiveId}' aborted at entry {EntryIndex}: {Reason}")]
    public static partial void ArchiveAborted(ILogger logger, string connectionId, string archiveId, int entryIndex, string reason);

    [LoggerMessage(2, LogLevel.Information, "{ConnectionId}: archive '{ArchiveId}' not started: {Status} {Reason}")]
    public static partial void ArchiveRefused(ILogger logger, string connectionId, string archiveId, int status, string reason);

    [LoggerMessage(3, LogLevel.Debug, "{ConnectionId}: client gone during archive '{ArchiveId}': {Reason}")]
    public static partial void ClientGone(ILogger logger, string connectionId, string archiveId, string reason);

    [LoggerMessage(4, LogLevel.Debug, "{ConnectionId}: bad request: {Status} {Reason}")]
    public static partial void BadRequest(ILogger logger, string connectionId, int status, string reason);

    [LoggerMessage(6, LogLevel.Information, "archive '{ArchiveId}' entry {EntryIndex}: retry {Attempt} of {Retries} ({RetryReason}): {Reason}")]
    public static partial void OriginRetry(ILogger logger, string? archiveId, int entryIndex, int attempt, int retries, string retryReason, string reason);

    [LoggerMessage(5, LogLevel.Error, "{ConnectionId}: unexpected error")]
    public static partial void Unexpected(ILogger logger, string connectionId, Exception exception);
}
