using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RawZipServer.Auth;

/// <summary>
/// Signed links (SPEC §3): <c>signature = hex(HMAC-SHA256(secret, "{id}\n{expires}"))</c>, <c>expires</c> in
/// Unix seconds. The signature is checked first, in constant time, so an expired link is only reported as
/// such (410) when it is genuine; anything else is 403.
/// </summary>
internal sealed class LinkSignature(string secret)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);

    public string Sign(string id, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(Message(id, expires))));

    /// <summary>Null when the link is valid at <paramref name="now"/>, else the status (403, 410) and a reason.</summary>
    public (int Status, string Reason)? Check(string id, ReadOnlySpan<char> query, DateTimeOffset now)
    {
        string? expiresText = QueryValue(query, "expires");
        string? signatureText = QueryValue(query, "signature");
        if (expiresText is null || signatureText is null)
        {
            return (403, "this server needs a signed link: ?expires=UNIX-SECONDS&signature=HEX");
        }

        // 64 hex digits, either case; anything else cannot be a signature.
        if (!long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out long expires)
            || signatureText.Length != 2 * HMACSHA256.HashSizeInBytes || !IsHex(signatureText))
        {
            return (403, "signed link is malformed");
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(Message(id, expires)), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(signatureText)))
        {
            return (403, "signature does not match");
        }

        if (expires < now.ToUnixTimeSeconds())
        {
            return (410, "signed link has expired");
        }

        return null;
    }

    private static string Message(string id, long expires) => id + "\n" + expires.ToString(CultureInfo.InvariantCulture);

    private static readonly System.Buffers.SearchValues<char> s_hex = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private static bool IsHex(string text) => !text.AsSpan().ContainsAnyExcept(s_hex);

    /// <summary>The first value of <paramref name="name"/> in a query string; percent-escapes decoded.</summary>
    private static string? QueryValue(ReadOnlySpan<char> query, string name)
    {
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            int eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            if (key.SequenceEqual(name))
            {
                return Uri.UnescapeDataString(eq < 0 ? "" : pair[(eq + 1)..].ToString());
            }
        }

        return null;
    }
}
