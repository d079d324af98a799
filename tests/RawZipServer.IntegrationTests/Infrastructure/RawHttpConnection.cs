using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>One HTTP response as read off the wire.</summary>
internal sealed record RawResponse(string StatusLine, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, bool Complete, string Framing, string? EndReason)
{
    public int Status => int.Parse(StatusLine.Split(' ')[1], CultureInfo.InvariantCulture);

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public override string ToString() =>
        $"{StatusLine} [{string.Join("; ", Headers.Select(h => h.Key + ": " + h.Value))}] body {Body.Length} bytes, {Framing}, complete={Complete}{(EndReason is null ? "" : ", " + EndReason)}";
}

/// <summary>
/// A plain TCP connection to the server that writes requests byte for byte and parses responses
/// itself (Content-Length, chunked, or until close), so framing and aborts are visible exactly.
/// Every read is bounded by a timeout.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(60);
    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;
    private string? _endReason;

    private RawHttpConnection(Socket socket) => _socket = socket;

    public static RawHttpConnection Connect(IPEndPoint endPoint)
    {
        if (!IPAddress.IsLoopback(endPoint.Address))
        {
            throw new InvalidOperationException("tests only talk to 127.0.0.1");
        }

        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(endPoint);
        return new RawHttpConnection(socket);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(s_defaultTimeout);
        int sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, timeout.Token);
        }
    }

    /// <summary>Reads one response. A body cut short (EOF or reset) gives <c>Complete = false</c>; a cut head throws.</summary>
    public async Task<RawResponse> ReadResponseAsync(bool headRequest = false, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? s_defaultTimeout);
        var token = cts.Token;
        try
        {
            string statusLine = await ReadLineAsync(token) ?? throw new IOException($"connection ended before a status line ({_endReason ?? "eof"})");
            var headers = new List<KeyValuePair<string, string>>();
            while (true)
            {
                string line = await ReadLineAsync(token) ?? throw new IOException($"connection ended inside the response head ({_endReason ?? "eof"})");
                if (line.Length == 0)
                {
                    break;
                }

                int colon = line.IndexOf(':', StringComparison.Ordinal);
                headers.Add(KeyValuePair.Create(line[..colon], line[(colon + 1)..].Trim()));
            }

            var response = new RawResponse(statusLine, headers, [], true, "none", null);
            int status = response.Status;
            if (headRequest || status is 204 or 304 || status < 200)
            {
                return response with { Framing = "no body" };
            }

            var body = new MemoryStream();
            string? te = response.Header("Transfer-Encoding");
            string? cl = response.Header("Content-Length");
            if (te is not null)
            {
                Assert.Equal("chunked", te);
                bool complete = await ReadChunkedAsync(body, token);
                return response with { Body = body.ToArray(), Complete = complete, Framing = "chunked", EndReason = _endReason };
            }

            if (cl is not null)
            {
                long length = long.Parse(cl, NumberStyles.None, CultureInfo.InvariantCulture);
                long got = await CopyAsync(body, length, token);
                return response with { Body = body.ToArray(), Complete = got == length, Framing = "content-length", EndReason = _endReason };
            }

            await CopyAsync(body, long.MaxValue, token);
            return response with { Body = body.ToArray(), Complete = _endReason == "eof", Framing = "until close", EndReason = _endReason };
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"no complete response within {timeout ?? s_defaultTimeout}");
        }
    }

    /// <summary>Whether the server closed the connection (EOF or reset) within <paramref name="timeout"/>; bytes still buffered mean no.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return !await FillAsync(cts.Token) && _start == _end;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Bytes buffered, or the first bytes arriving within <paramref name="wait"/>; 0 when none came.</summary>
    public async Task<int> PendingBytesAsync(TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        try
        {
            while (_start == _end && await FillAsync(cts.Token))
            {
            }
        }
        catch (OperationCanceledException)
        {
        }

        return _end - _start;
    }

    /// <summary>
    /// Reads and discards until the server closes, at most <paramref name="max"/> bytes and
    /// <paramref name="timeout"/>; returns the byte count and how the connection ended (null: it did not).
    /// </summary>
    public async Task<(long Bytes, string? End)> DrainAsync(long max, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        long total = 0;
        try
        {
            while (total < max)
            {
                total += _end - _start;
                int keep = Math.Min(_end - _start, LastBytes.Length);
                if (keep > 0)
                {
                    // Shift the tail window and append the newest bytes.
                    Buffer.BlockCopy(LastBytes, keep, LastBytes, 0, LastBytes.Length - keep);
                    Buffer.BlockCopy(_buffer, _end - keep, LastBytes, LastBytes.Length - keep, keep);
                }

                _start = _end = 0;
                if (!await FillAsync(cts.Token))
                {
                    return (total, _endReason);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return (total, null);
    }

    /// <summary>The last 16 bytes <see cref="DrainAsync"/> discarded (zeros before any).</summary>
    public byte[] LastBytes { get; } = new byte[16];

    private async Task<bool> ReadChunkedAsync(MemoryStream body, CancellationToken token)
    {
        while (true)
        {
            string? sizeLine = await ReadLineAsync(token);
            if (sizeLine is null)
            {
                return false;
            }

            int semicolon = sizeLine.IndexOf(';', StringComparison.Ordinal);
            long size = long.Parse(semicolon < 0 ? sizeLine : sizeLine[..semicolon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                // Trailers (none expected), then the empty line.
                while (true)
                {
                    string? trailer = await ReadLineAsync(token);
                    if (trailer is null)
                    {
                        return false;
                    }

                    if (trailer.Length == 0)
                    {
                        return true;
                    }
                }
            }

            if (await CopyAsync(body, size, token) != size)
            {
                return false;
            }

            string? crlf = await ReadLineAsync(token);
            if (crlf is null)
            {
                return false;
            }

            Assert.True(crlf.Length == 0, $"chunk not followed by CRLF but '{crlf}'");
        }
    }

    private async Task<long> CopyAsync(Stream destination, long count, CancellationToken token)
    {
        long copied = 0;
        while (copied < count)
        {
            if (_start == _end && !await FillAsync(token))
            {
                break;
            }

            int n = (int)Math.Min(_end - _start, count - copied);
            destination.Write(_buffer, _start, n);
            _start += n;
            copied += n;
        }

        return copied;
    }

    /// <summary>A CRLF-terminated line (latin-1), or null at the end of the connection.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken token)
    {
        int scanned = _start;
        while (true)
        {
            int lf = Array.IndexOf(_buffer, (byte)'\n', scanned, _end - scanned);
            if (lf >= 0)
            {
                Assert.True(lf > _start && _buffer[lf - 1] == (byte)'\r', "line not terminated by CRLF");
                string line = Encoding.Latin1.GetString(_buffer, _start, lf - 1 - _start);
                _start = lf + 1;
                return line;
            }

            scanned = _end;
            int before = _end - _start;
            if (!await FillAsync(token))
            {
                return null;
            }

            scanned = _start + before;
            if (_end - _start > 1024 * 1024)
            {
                throw new InvalidDataException("line longer than 1 MiB");
            }
        }
    }

    /// <summary>Reads more bytes into the buffer; false at EOF or reset (recorded in <see cref="_endReason"/>).</summary>
    private async Task<bool> FillAsync(CancellationToken token)
    {
        if (_eof)
        {
            return false;
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int n;
        try
        {
            n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, token);
        }
        catch (SocketException ex)
        {
            _eof = true;
            _endReason = "reset: " + ex.SocketErrorCode;
            return false;
        }

        if (n == 0)
        {
            _eof = true;
            _endReason = "eof";
            return false;
        }

        _end += n;
        return true;
    }

    public void Dispose() => _socket.Dispose();
}
