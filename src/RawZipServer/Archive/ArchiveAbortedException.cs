namespace RawZipServer.Archive;

/// <summary>
/// The archive cannot be completed correctly after its first byte was sent; the connection must be
/// aborted so the client sees a broken transfer, never a complete-looking wrong archive.
/// </summary>
internal sealed class ArchiveAbortedException(int entryIndex, string reason, Exception? inner = null)
    : Exception($"entry {entryIndex}: {reason}", inner)
{
    public int EntryIndex { get; } = entryIndex;

    /// <summary>The reason without the "entry N: " prefix.</summary>
    public string Reason { get; } = reason;
}

/// <summary>The client went away (its side of the connection completed); nothing is left to send to.</summary>
internal sealed class ClientDisconnectedException(string message) : Exception(message);
