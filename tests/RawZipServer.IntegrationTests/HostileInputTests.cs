using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// Issue 5, item 5, end to end: arbitrary bytes sent in arbitrary pieces to the real server end in a well-formed
/// response or a closed connection, within a bound, and the server keeps serving.
/// </summary>
public sealed partial class HostileInputTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"^HTTP/1\.1 [1-5][0-9][0-9] ")]
    private static partial Regex StatusLine();

    private static readonly Gen<byte[]> s_input = Gen.OneOf(
        Gen.Byte.Array[0, 400],
        Gen.OneOf<string>("GET ", "HEAD ", "POST ", "/archive/", "/healthz", "/metrics", "demo", " HTTP/1.1", " HTTP/1.0", "\r\n", "\n", "Host: x",
                "Content-Length: 5", "Content-Length: -1", "Transfer-Encoding: chunked", "Range: bytes=0-", "Connection: close", ":", " ", "\0", "\u00ff", "12345")
            .Array[0, 30].Select(parts => Encoding.Latin1.GetBytes(string.Concat(parts))));

    [Fact]
    public async Task ArbitraryBytesInArbitraryPiecesEndInAResponseOrAClosedConnection()
    {
        await using var server = await TestServer.StartAsync(null, settings: new Dictionary<string, string?> { ["Limits:RequestHeadersTimeout"] = "00:00:02" });
        server.WriteManifest("demo", new ArchiveSpec().Synthetic("a.bin", 1000, 1).ToJson());
        int responses = 0, closedSilently = 0;
        await Gen.Select(s_input, Gen.Int[1, 64]).SampleAsync(async (bytes, piece) =>
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(server.EndPoint);
            try
            {
                for (int offset = 0; offset < bytes.Length; offset += piece)
                {
                    await socket.SendAsync(bytes.AsMemory(offset, Math.Min(piece, bytes.Length - offset)), SocketFlags.None);
                    await Task.Delay(1);
                }

                socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The server may already have answered and closed (e.g. a 400 on the first line).
            }

            var received = new MemoryStream();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            byte[] buffer = new byte[16 * 1024];
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
                {
                    received.Write(buffer, 0, n);
                }
            }
            catch (SocketException)
            {
                // Reset after the answer: still a closed connection.
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the server neither answered nor closed within 15 s for {Convert.ToHexString(bytes)} in pieces of {piece}");
            }

            if (received.Length == 0)
            {
                closedSilently++;
            }
            else
            {
                string text = Encoding.Latin1.GetString(received.ToArray());
                Assert.Matches(StatusLine(), text);
                responses++;
            }
        }, iter: 150, threads: 1);
        output.WriteLine($"{responses} responses, {closedSilently} silent closes");

        using var client = server.CreateClient();
        Assert.Equal("ok", (await client.GetStringAsync("/healthz")).Trim());
        var demo = new ArchiveSpec().Synthetic("a.bin", 1000, 1);
        await ArchiveReaders.VerifyAsync(await client.GetByteArrayAsync("/archive/demo"), demo.Expected, output, "archive after hostile input");
    }
}
