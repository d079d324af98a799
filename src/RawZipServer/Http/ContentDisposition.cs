using System.IO.Pipelines;
using System.Text;

namespace RawZipServer.Http;

/// <summary>
/// <c>attachment; filename="ascii"; filename*=UTF-8''pct-encoded</c> (RFC 6266 §4.3): old clients
/// read the ASCII fallback, every current browser the UTF-8 form.
/// </summary>
internal static class ContentDisposition
{
    public static void Write(ref BufferWriter<PipeWriter> w, string fileName)
    {
        w.Write("attachment; filename=\""u8);
        Span<byte> one = stackalloc byte[1];
        foreach (char c in fileName)
        {
            // Quotes, backslashes, controls and non-ASCII have no safe quoted-string form everywhere.
            one[0] = c is >= ' ' and < (char)0x7F and not '"' and not '\\' ? (byte)c : (byte)'_';
            w.Write(one);
        }

        w.Write("\"; filename*=UTF-8''"u8);
        Span<byte> escaped = stackalloc byte[3];
        escaped[0] = (byte)'%';
        foreach (byte b in Encoding.UTF8.GetBytes(fileName))
        {
            if (IsAttrChar(b))
            {
                one[0] = b;
                w.Write(one);
            }
            else
            {
                escaped[1] = (byte)"0123456789ABCDEF"[b >> 4];
                escaped[2] = (byte)"0123456789ABCDEF"[b & 0xF];
                w.Write(escaped);
            }
        }
    }

    /// <summary>RFC 8187 §3.2.1 attr-char.</summary>
    private static bool IsAttrChar(byte b) =>
        char.IsAsciiLetterOrDigit((char)b) || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'&' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
