using System.Security.Cryptography;
using System.Text;

namespace RawZipServer.Auth;

/// <summary>
/// <c>Auth:ApiKeys</c> for <c>POST /archive</c>. Keys are compared as SHA-256 digests with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>: equal-length inputs, so neither the
/// content nor the length of a key leaks through timing; every key is compared every time.
/// </summary>
internal sealed class ApiKeys(IReadOnlyList<string> keys)
{
    private readonly byte[][] _digests = [.. keys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k)))];

    public bool Any => _digests.Length > 0;

    /// <summary>Whether <paramref name="authorization"/> is <c>Bearer KEY</c> with a configured KEY.</summary>
    public bool Accepts(string? authorization)
    {
        // RFC 9110 §11.1: the scheme is case-insensitive.
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()), digest);
        bool match = false;
        foreach (byte[] key in _digests)
        {
            match |= CryptographicOperations.FixedTimeEquals(digest, key);
        }

        return match;
    }
}
