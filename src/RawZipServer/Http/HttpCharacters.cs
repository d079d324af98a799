using System.Buffers;

namespace RawZipServer.Http;

/// <summary>Character classes of RFC 9110 §5.6.2 (token) and §5.5 (field values).</summary>
internal static class HttpCharacters
{
    private static readonly SearchValues<byte> s_token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(s_token);

    public static bool IsVisibleAscii(ReadOnlySpan<byte> value) => value.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) < 0;

    /// <summary>VCHAR, obs-text, SP and HTAB; CR, LF, NUL and other controls are refused.</summary>
    public static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }
}
