using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace RawZipServer.Http;

/// <summary>
/// Writes small pieces into an <see cref="IBufferWriter{T}"/> through one cached span, advancing the
/// output once per <see cref="Commit"/> instead of once per piece.
/// </summary>
internal ref struct BufferWriter<T> where T : IBufferWriter<byte>
{
    private readonly T _output;
    private Span<byte> _span;
    private int _buffered;

    public BufferWriter(T output, int sizeHint = 512)
    {
        _output = output;
        _span = output.GetSpan(sizeHint);
        _buffered = 0;
    }

    public void Commit()
    {
        if (_buffered > 0)
        {
            _output.Advance(_buffered);
            _span = default;
            _buffered = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(scoped ReadOnlySpan<byte> source)
    {
        if (source.TryCopyTo(_span[_buffered..]))
        {
            _buffered += source.Length;
            return;
        }

        WriteMultiBuffer(source);
    }

    public void WriteNumeric(long value)
    {
        if (!Utf8Formatter.TryFormat(value, _span[_buffered..], out int written))
        {
            Ensure(20);
            Utf8Formatter.TryFormat(value, _span[_buffered..], out written);
        }

        _buffered += written;
    }

    public void WriteHttpDate(DateTimeOffset value)
    {
        Ensure(29);
        value.UtcDateTime.TryFormat(_span[_buffered..], out int written, "r");
        _buffered += written;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteMultiBuffer(scoped ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            Ensure(1);
            int n = Math.Min(source.Length, _span.Length - _buffered);
            source[..n].CopyTo(_span[_buffered..]);
            _buffered += n;
            source = source[n..];
        }
    }

    private void Ensure(int count)
    {
        if (_span.Length - _buffered < count)
        {
            Commit();
            _span = _output.GetSpan(Math.Max(count, 512));
        }
    }
}
