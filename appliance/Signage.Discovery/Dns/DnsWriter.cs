using System.Buffers.Binary;
using System.Text;

namespace Signage.Discovery.Dns;

/// <summary>Encodes a <see cref="DnsMessage"/>, compressing repeated name suffixes with pointers (RFC 1035 section 4.1.4).</summary>
internal sealed class DnsWriter
{
    private const ushort ClassIn = 1;
    private const ushort TopBit = 0x8000;
    private readonly List<byte> _bytes = new(512);
    // Lower-cased escaped suffix -> offset where it was first written; pointers reach 14 bits.
    private readonly Dictionary<string, int> _suffixes = new(StringComparer.OrdinalIgnoreCase);

    public static byte[] Write(DnsMessage message)
    {
        var writer = new DnsWriter();
        writer.UInt16(message.Id);
        writer.UInt16((ushort)((message.IsResponse ? 0x8000 : 0) | (message.Authoritative ? 0x0400 : 0)));
        writer.UInt16(Count(message.Questions.Count));
        writer.UInt16(Count(message.Answers.Count));
        writer.UInt16(Count(message.Authorities.Count));
        writer.UInt16(Count(message.Additionals.Count));
        foreach (var question in message.Questions)
        {
            writer.Name(question.Name);
            writer.UInt16((ushort)question.Type);
            writer.UInt16((ushort)(ClassIn | (question.UnicastResponse ? TopBit : 0)));
        }
        foreach (var record in message.AllRecords) writer.Record(record);
        return [.. writer._bytes];
    }

    private static ushort Count(int count) => count <= ushort.MaxValue ? (ushort)count : throw new ArgumentException("too many entries in one section");

    private void Record(DnsRecord record)
    {
        Name(record.Name);
        UInt16((ushort)record.Type);
        UInt16((ushort)(ClassIn | (record.CacheFlush ? TopBit : 0)));
        UInt32(record.Ttl);
        var lengthAt = _bytes.Count;
        UInt16(0);
        var start = _bytes.Count;
        switch (record.Data)
        {
            case PtrData ptr:
                Name(ptr.Target);
                break;
            case SrvData srv:
                UInt16(srv.Priority);
                UInt16(srv.Weight);
                UInt16(srv.Port);
                // RFC 2782 forbids compressing the SRV target, and some resolvers do not follow pointers there.
                Name(srv.Target, compress: false);
                break;
            case TxtData txt:
                // An empty TXT record still holds one empty string (RFC 6763 section 6.1).
                if (txt.Entries.Count == 0) _bytes.Add(0);
                foreach (var entry in txt.Entries)
                {
                    var bytes = Encoding.UTF8.GetBytes(entry);
                    if (bytes.Length > 255) throw new ArgumentException($"TXT entry longer than 255 bytes: {entry[..20]}…");
                    _bytes.Add((byte)bytes.Length);
                    _bytes.AddRange(bytes);
                }
                break;
            case AddressData address:
                _bytes.AddRange(address.Address.GetAddressBytes());
                break;
            case NsecData nsec:
                Name(nsec.NextName); // RFC 6762 section 18.14 allows compression here
                TypeBitmap(nsec.Types);
                break;
            case UnknownData unknown:
                _bytes.AddRange(unknown.Bytes);
                break;
        }
        var length = _bytes.Count - start;
        _bytes[lengthAt] = (byte)(length >> 8);
        _bytes[lengthAt + 1] = (byte)length;
    }

    /// <summary>Window-block bitmaps (RFC 4034 section 4.1.2); mDNS only needs window 0.</summary>
    private void TypeBitmap(IReadOnlyList<DnsType> types)
    {
        foreach (var window in types.GroupBy(t => (int)t >> 8).OrderBy(g => g.Key))
        {
            var bitmap = new byte[32];
            foreach (var type in window) bitmap[((int)type & 0xFF) / 8] |= (byte)(0x80 >> ((int)type & 7));
            var length = Array.FindLastIndex(bitmap, b => b != 0) + 1;
            _bytes.Add((byte)window.Key);
            _bytes.Add((byte)length);
            _bytes.AddRange(bitmap.AsSpan(0, length).ToArray());
        }
    }

    private void Name(string name, bool compress = true)
    {
        var labels = DnsName.Split(name);
        var total = 1;
        for (var i = 0; i < labels.Count; i++)
        {
            var suffix = DnsName.Join(labels.Skip(i));
            if (compress && _suffixes.TryGetValue(suffix, out var offset))
            {
                UInt16((ushort)(0xC000 | offset));
                return;
            }
            if (compress && _bytes.Count <= 0x3FFF) _suffixes[suffix] = _bytes.Count;
            var bytes = Encoding.UTF8.GetBytes(labels[i]);
            if (bytes.Length is 0 or > DnsName.MaxLabelBytes) throw new ArgumentException($"label of {bytes.Length} bytes in '{name}'");
            total += bytes.Length + 1;
            if (total > DnsName.MaxNameBytes) throw new ArgumentException($"name longer than 255 bytes: '{name}'");
            _bytes.Add((byte)bytes.Length);
            _bytes.AddRange(bytes);
        }
        _bytes.Add(0);
    }

    private void UInt16(ushort value)
    {
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(buffer, value);
        _bytes.Add(buffer[0]);
        _bytes.Add(buffer[1]);
    }

    private void UInt32(uint value)
    {
        UInt16((ushort)(value >> 16));
        UInt16((ushort)value);
    }
}
