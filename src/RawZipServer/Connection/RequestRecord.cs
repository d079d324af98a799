using System.Diagnostics;
using System.IO.Pipelines;

namespace RawZipServer.Connection;

/// <summary>
/// What the access-log line of one request says, filled in by whoever answers it. One per connection,
/// reset per request, so recording allocates nothing.
/// </summary>
internal sealed class RequestRecord
{
    /// <summary><see cref="Stopwatch"/> timestamp of the complete request head.</summary>
    public long Started;
    public int Status;
    /// <summary>Bytes written to the connection for this response: head, framing and body.</summary>
    public long Bytes;
    /// <summary>Entries in the manifest, or -1 when none was read.</summary>
    public int Entries;
    /// <summary><c>ok</c>, <c>refused</c>, <c>aborted</c> or <c>client-gone</c>.</summary>
    public string Result = "";
    /// <summary>Why it was refused or aborted.</summary>
    public string? Reason;

    public void Reset(long started)
    {
        Started = started;
        Status = 0;
        Bytes = 0;
        Entries = -1;
        Result = "ok";
        Reason = null;
    }

    /// <summary>Counts what is about to be flushed (the transports here can tell; a writer that cannot counts nothing).</summary>
    public void CountUnflushed(PipeWriter output)
    {
        if (output.CanGetUnflushedBytes)
        {
            Bytes += output.UnflushedBytes;
        }
    }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(Started);
}
