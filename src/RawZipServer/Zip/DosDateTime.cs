namespace RawZipServer.Zip;

/// <summary>MS-DOS date and time (APPNOTE 4.4.6), in UTC, clamped to the range the format can hold.</summary>
internal static class DosDateTime
{
    private static readonly DateTime s_min = new(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime s_max = new(2107, 12, 31, 23, 59, 58, DateTimeKind.Utc);

    /// <summary>Returns <c>date &lt;&lt; 16 | time</c>, the order the two fields have on disk.</summary>
    public static uint From(DateTimeOffset value)
    {
        var t = value.UtcDateTime;
        if (t < s_min)
        {
            t = s_min;
        }
        else if (t > s_max)
        {
            t = s_max;
        }

        uint date = (uint)(((t.Year - 1980) << 9) | (t.Month << 5) | t.Day);
        uint time = (uint)((t.Hour << 11) | (t.Minute << 5) | (t.Second / 2));
        return (date << 16) | time;
    }

    /// <summary>Seconds since 1970 for the 0x5455 field, a signed 32-bit value (saturates outside 1901–2038).</summary>
    public static int UnixSeconds(DateTimeOffset value)
    {
        long seconds = value.ToUnixTimeSeconds();
        return (int)Math.Clamp(seconds, int.MinValue, int.MaxValue);
    }
}
