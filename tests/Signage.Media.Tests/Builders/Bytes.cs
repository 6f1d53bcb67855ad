using System.Buffers.Binary;
using System.Text;

namespace Signage.Media.Tests.Builders;

/// <summary>Small helpers for damaging fixture files in tests.</summary>
internal static class Bytes
{
    /// <summary>Offset of the size field of the first box of this type (a plain search for the type code).</summary>
    public static int BoxOffset(byte[] file, string type)
    {
        int at = file.AsSpan().IndexOf(Encoding.ASCII.GetBytes(type));
        Assert.True(at >= 4, $"no '{type}' box in the fixture");
        return at - 4;
    }

    public static byte[] WithUInt32(byte[] file, int offset, uint value)
    {
        byte[] copy = [.. file];
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), value);
        return copy;
    }

    public static byte[] Replace(byte[] file, string from, string to)
    {
        byte[] copy = [.. file];
        int at = copy.AsSpan().IndexOf(Encoding.ASCII.GetBytes(from));
        Assert.True(at >= 0, $"'{from}' not found");
        Encoding.ASCII.GetBytes(to).CopyTo(copy, at);
        return copy;
    }

    public static byte[] FirstHalf(byte[] file) => file[..(file.Length / 2)];

    public static MediaCheck Inspect(byte[] file, MediaLimits? limits = null)
    {
        using var stream = new MemoryStream(file, writable: false);
        return MediaInspector.Inspect(stream, limits);
    }
}
