using System.Net;

namespace RawZipServer.Connection;

/// <summary>
/// The client address an access-log line names. <c>X-Forwarded-For</c> is believed only when the peer is
/// one of <c>Logging:TrustedProxies</c>: then the chain is walked from the right (the entry the nearest
/// proxy appended) past every trusted address, like nginx's <c>real_ip_recursive on</c>. Anyone else could
/// write any address into that header.
/// </summary>
internal sealed class ClientAddress(IReadOnlyList<IPNetwork> trustedProxies)
{
    /// <summary>At most this many X-Forwarded-For entries are looked at: a long forged chain costs nothing more.</summary>
    private const int MaxHops = 16;

    public string For(EndPoint? peer, string? forwardedFor)
    {
        IPAddress? address = peer is IPEndPoint ip ? Normalize(ip.Address) : null;
        if (address is null)
        {
            return "-";
        }

        if (forwardedFor is null || !IsTrusted(address))
        {
            return address.ToString();
        }

        var rest = forwardedFor.AsSpan();
        for (int hop = 0; hop < MaxHops && !rest.IsEmpty; hop++)
        {
            int comma = rest.LastIndexOf(',');
            var entry = rest[(comma + 1)..].Trim();
            rest = comma < 0 ? default : rest[..comma];
            if (!IPAddress.TryParse(entry, out var hopAddress))
            {
                break; // garbage from an untrusted hop: the last good address stands
            }

            address = Normalize(hopAddress);
            if (!IsTrusted(address))
            {
                break;
            }
        }

        return address.ToString();
    }

    private bool IsTrusted(IPAddress address)
    {
        foreach (var network in trustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
