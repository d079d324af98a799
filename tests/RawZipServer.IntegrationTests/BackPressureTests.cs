using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// SPEC §7 and issue 5, item 3: memory per archive stays bounded whatever the client speed, because a client that reads
/// slowly, or not at all, holds back the origin reads. Real loopback sockets; the server's own counters say how many
/// bytes it took from the origin, the test's socket how many the client got. What may lie between the two is the
/// bound, made of what the path can hold: the transport's output pipe (its pause threshold, plus the one read the
/// pump adds before the flush that waits), the server's kernel send buffer (at most <c>tcp_wmem</c>'s maximum, where
/// Linux autotuning stops) and the client's kernel receive buffer (set small here, as SO_RCVBUF). A server that read
/// ahead of its client (a flush result ignored, an unbounded buffer) ends past that bound and these tests fail.
/// </summary>
public sealed class BackPressureTests(ITestOutputHelper output)
{
    /// <summary>Far beyond the bound (about 4.3 MiB here): a server without back-pressure reads all of it at once.</summary>
    private const long EntryBytes = 64L << 20;

    /// <summary>The client's SO_RCVBUF; Linux doubles it (bookkeeping) and reports the doubled value, which the bound uses.</summary>
    private const int ClientReceiveBuffer = 64 * 1024;

    [Theory]
    [InlineData("synthetic")]
    [InlineData("web")]
    public async Task AClientThatStopsReadingStopsTheOriginReadsWithinTheBound(string origin)
    {
        await using var web = await OriginServer.StartAsync();
        await using var server = await StartAsync(web, origin);
        using var client = server.CreateClient();
        using var socket = await ConnectAndRequestAsync(server);
        await ReadHeadAsync(socket);
        long received = 0; // body bytes
        long bound = Bound(server, socket);

        // The origin reads go on until the path is full, then stop: wait for the counter to stay put for 5 scrapes in a row.
        int unchanged = 0;
        double last = -1;
        double settled = await Poll.UntilAsync(() => OriginBytesAsync(client), v =>
        {
            unchanged = v == last ? unchanged + 1 : 0;
            last = v;
            return unchanged >= 5;
        }, TimeSpan.FromSeconds(8));
        output.WriteLine($"{origin}: client received {received} body bytes, server read {settled} origin bytes: {settled - received} apart, bound {bound}");
        Assert.True(settled - received <= bound, $"server read {settled} origin bytes for a client that has {received}: {settled - received} apart, more than the bound {bound}");
        Assert.True(settled > 0, "the archive started");

        // A while later (a second of scrapes, ending early only if it grows): still nothing more taken from the origin.
        double later = await Poll.UntilAsync(() => OriginBytesAsync(client), v => v > settled, TimeSpan.FromSeconds(1));
        Assert.Equal(settled, later);
    }

    [Theory]
    [InlineData("synthetic")]
    [InlineData("web")]
    public async Task AClientReading64KiBPerSecondKeepsTheOriginReadsWithinTheBound(string origin)
    {
        const int rate = 64 * 1024;
        await using var web = await OriginServer.StartAsync();
        await using var server = await StartAsync(web, origin);
        using var client = server.CreateClient();
        using var socket = await ConnectAndRequestAsync(server);
        await ReadHeadAsync(socket);
        long received = 0; // body bytes
        long bound = Bound(server, socket);

        // About 3 s of reading at the rate, with a sample after every second of it (no reads while scraping, so the
        // client's count is exact when the server's is taken).
        var buffer = new byte[8 * 1024];
        var samples = new List<(double Origin, long Received)>();
        var started = DateTime.UtcNow;
        long readSinceStart = 0;
        for (int second = 1; second <= 3; second++)
        {
            while (readSinceStart < (long)rate * second)
            {
                // Paced: never ahead of rate × time since the first body read.
                var due = started + TimeSpan.FromSeconds((double)readSinceStart / rate);
                if (due > DateTime.UtcNow)
                {
                    await Task.Delay(due - DateTime.UtcNow);
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                Assert.True(n > 0, "the server closed the connection");
                readSinceStart += n;
                received += n;
            }

            double read = await OriginBytesAsync(client);
            samples.Add((read, received));
            output.WriteLine($"{origin}, after {second} s: client received {received} body bytes, server read {read} origin bytes: {read - received} apart, bound {bound}");
        }

        Assert.All(samples, s => Assert.True(s.Origin - s.Received <= bound, $"server read {s.Origin} origin bytes for a client that has {s.Received}: more than the bound {bound} apart"));
        // Not growing: from the first sample to the last the server took about what the client took (the pipe refills
        // between its resume and pause thresholds), not the rest of the 64 MiB.
        var (first, final) = (samples[0], samples[^1]);
        double taken = final.Origin - first.Origin;
        long given = final.Received - first.Received;
        Assert.True(taken <= given + PipeBytes(server), $"between the first and the last sample the server read {taken} origin bytes while the client received {given}");
    }

    private static async Task<TestServer> StartAsync(OriginServer web, string origin)
    {
        var server = await TestServer.StartAsync(null, web.BaseUrl, new Dictionary<string, string?>
        {
            // Only back-pressure may hold the reads here, not the idle timeouts.
            ["Limits:ClientIdleTimeout"] = "00:01:00",
            ["Upstream:IdleTimeout"] = "00:01:00",
        });
        string source = origin == "synthetic" ? $"{EntryBytes}/7" : $"generated/{EntryBytes}/7";
        server.WriteManifest("big", $$"""{"files":[{"path":"big.bin","origin":"{{origin}}","source":"{{source}}"}]}""");
        return server;
    }

    /// <summary>Transport pipe and one pump read: what the server holds in user space for one archive.</summary>
    private static long PipeBytes(TestServer server)
    {
        // ServerHost builds the socket transport with SocketTransportOptions' defaults; if it ever sets
        // MaxWriteBufferSize (the output pipe's pause threshold), this must read the same value.
        long pause = new SocketTransportOptions().MaxWriteBufferSize ?? throw new InvalidOperationException("an unbounded output pipe has no bound");
        // A read asks the pipe for ReadBufferBytes; the pipe may give a whole pooled array (a power of two) and the read fills it.
        long read = (long)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)server.Options.ReadBufferBytes);
        return pause + read;
    }

    /// <summary>
    /// Pipe and read; the kernel send buffer's autotuning maximum plus one loopback packet (the kernel checks for room
    /// before it queues a packet, so the queue may pass the limit by one); the client's receive buffer.
    /// </summary>
    private long Bound(TestServer server, Socket socket)
    {
        long sendMax = long.Parse(File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);
        long packet = long.Parse(File.ReadAllText("/sys/class/net/lo/mtu").Trim(), CultureInfo.InvariantCulture);
        long receive = socket.ReceiveBufferSize;
        long bound = PipeBytes(server) + sendMax + packet + receive;
        output.WriteLine($"bound {bound} = pipe and read {PipeBytes(server)} + tcp_wmem max {sendMax} + lo MTU {packet} + client SO_RCVBUF as granted {receive}");
        return bound;
    }

    private static async Task<Socket> ConnectAndRequestAsync(TestServer server)
    {
        var socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            // Before connecting, so the window scale is chosen for it; a fixed size also turns receive autotuning off.
            ReceiveBufferSize = ClientReceiveBuffer,
            NoDelay = true,
        };
        await socket.ConnectAsync(server.EndPoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes(Requests.Get("/archive/big")), SocketFlags.None);
        return socket;
    }

    /// <summary>Reads exactly the response head, byte by byte, so not one body byte is taken off the socket with it.</summary>
    private static async Task ReadHeadAsync(Socket socket)
    {
        var head = new List<byte>();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            int n = await socket.ReceiveAsync(one, SocketFlags.None, timeout.Token);
            Assert.True(n == 1, "the server closed the connection inside the response head");
            head.Add(one[0]);
        }

        Assert.StartsWith("HTTP/1.1 200 ", Encoding.ASCII.GetString(head.ToArray()), StringComparison.Ordinal);
    }

    private static async Task<double> OriginBytesAsync(HttpClient client) => (await MetricsScrape.ScrapeAsync(client))["rawzip_origin_bytes_total"];
}
