using System.Buffers.Binary;

namespace RawZipServer.UnitTests.Infrastructure;

/// <summary>Spells out expected records field by field, little-endian, as APPNOTE lists them.</summary>
internal sealed class LittleEndianBuilder
{
    private readonly List<byte> _bytes = [];

    public LittleEndianBuilder U8(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public LittleEndianBuilder U16(int value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, checked((ushort)value));
        _bytes.AddRange(b);
        return this;
    }

    public LittleEndianBuilder U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _bytes.AddRange(b);
        return this;
    }

    public LittleEndianBuilder I32(int value) => U32(unchecked((uint)value));

    public LittleEndianBuilder U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        _bytes.AddRange(b);
        return this;
    }

    public LittleEndianBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public LittleEndianBuilder If(bool condition, Func<LittleEndianBuilder, LittleEndianBuilder> add) => condition ? add(this) : this;

    public byte[] ToArray() => [.. _bytes];
}
