using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Signage.Discovery.Dns;

/// <summary>
/// Decodes a DNS message from untrusted bytes. Every read is bounds-checked and every failure is a
/// <see cref="DnsFormatException"/>: a hostile packet on the LAN must never take a receive loop down.
/// Compression pointers must point backwards, which also rules out loops.
/// </summary>
internal ref struct DnsReader
{
    private const int HeaderLength = 12;
    private readonly ReadOnlySpan<byte> _packet;
    private int _offset;

    private DnsReader(ReadOnlySpan<byte> packet) => _packet = packet;

    public static DnsMessage Read(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < HeaderLength) throw new DnsFormatException($"packet of {packet.Length} bytes is shorter than a DNS header");
        var reader = new DnsReader(packet);
        var id = reader.UInt16();
        var flags = reader.UInt16();
        int questions = reader.UInt16(), answers = reader.UInt16(), authorities = reader.UInt16(), additionals = reader.UInt16();
        // Each question takes at least 5 bytes and each record at least 11: a count that cannot fit is a lie,
        // refused before anything is allocated for it.
        if (HeaderLength + questions * 5 + (answers + authorities + additionals) * 11 > packet.Length)
            throw new DnsFormatException("section counts exceed the packet");
        var questionList = new List<DnsQuestion>(questions);
        for (var i = 0; i < questions; i++)
        {
            var name = reader.Name();
            var type = (DnsType)reader.UInt16();
            var klass = reader.UInt16();
            questionList.Add(new DnsQuestion(name, type, (klass & 0x8000) != 0));
        }
        return new DnsMessage(id, (flags & 0x8000) != 0, (flags & 0x0400) != 0, questionList,
            reader.Records(answers), reader.Records(authorities), reader.Records(additionals));
    }

    private List<DnsRecord> Records(int count)
    {
        var records = new List<DnsRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var name = Name();
            var type = (DnsType)UInt16();
            var klass = UInt16();
            var ttl = UInt32();
            var length = UInt16();
            var end = _offset + length;
            if (end > _packet.Length) throw new DnsFormatException($"record data of {length} bytes runs past the packet");
            var data = Data(type, length);
            if (_offset != end) throw new DnsFormatException($"{type} record data is {length} bytes but its content took {_offset - end + length}");
            records.Add(new DnsRecord(name, type, ttl, data, (klass & 0x8000) != 0));
        }
        return records;
    }

    private RecordData Data(DnsType type, int length)
    {
        switch (type)
        {
            case DnsType.Ptr:
                return new PtrData(Name());
            case DnsType.Srv:
                return new SrvData(UInt16(), UInt16(), UInt16(), Name());
            case DnsType.A when length == 4:
                return new AddressData(new IPAddress(Bytes(4)));
            case DnsType.Aaaa when length == 16:
                return new AddressData(new IPAddress(Bytes(16)));
            case DnsType.A or DnsType.Aaaa:
                throw new DnsFormatException($"{type} record with {length} bytes of data");
            case DnsType.Txt:
            {
                var end = _offset + length;
                var entries = new List<string>();
                while (_offset < end)
                {
                    var entryLength = Byte();
                    if (_offset + entryLength > end) throw new DnsFormatException("TXT string runs past its record");
                    if (entryLength > 0) entries.Add(Encoding.UTF8.GetString(Bytes(entryLength)));
                }
                return new TxtData(entries);
            }
            case DnsType.Nsec:
            {
                var end = _offset + length;
                var next = Name();
                var types = new List<DnsType>();
                while (_offset < end)
                {
                    int window = Byte(), bitmapLength = Byte();
                    if (bitmapLength is 0 or > 32 || _offset + bitmapLength > end) throw new DnsFormatException("bad NSEC type bitmap");
                    var bitmap = Bytes(bitmapLength);
                    for (var bit = 0; bit < bitmapLength * 8; bit++)
                        if ((bitmap[bit / 8] & (0x80 >> (bit % 8))) != 0) types.Add((DnsType)(window * 256 + bit));
                }
                return new NsecData(next, types);
            }
            default:
                return new UnknownData(Bytes(length).ToArray());
        }
    }

    /// <summary>A possibly compressed name, as escaped text.</summary>
    private string Name()
    {
        var labels = new List<string>();
        var position = _offset;
        var resumeAt = -1;
        var totalBytes = 1;
        while (true)
        {
            if (position >= _packet.Length) throw new DnsFormatException("name runs past the packet");
            int length = _packet[position];
            if (length == 0)
            {
                position++;
                break;
            }
            switch (length & 0xC0)
            {
                case 0xC0:
                {
                    if (position + 1 >= _packet.Length) throw new DnsFormatException("truncated compression pointer");
                    var target = ((length & 0x3F) << 8) | _packet[position + 1];
                    // Only backwards: a pointer to itself or forwards could loop forever.
                    if (target >= position) throw new DnsFormatException($"compression pointer at {position} points forward to {target}");
                    if (resumeAt < 0) resumeAt = position + 2;
                    position = target;
                    continue;
                }
                case 0x00:
                    if (position + 1 + length > _packet.Length) throw new DnsFormatException("label runs past the packet");
                    totalBytes += length + 1;
                    if (totalBytes > DnsName.MaxNameBytes) throw new DnsFormatException("name longer than 255 bytes");
                    labels.Add(Encoding.UTF8.GetString(_packet.Slice(position + 1, length)));
                    position += 1 + length;
                    continue;
                default:
                    throw new DnsFormatException($"unsupported label type 0x{length & 0xC0:X2}");
            }
        }
        _offset = resumeAt >= 0 ? resumeAt : position;
        return DnsName.Join(labels);
    }

    private byte Byte() => Bytes(1)[0];

    private ushort UInt16() => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2));

    private uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));

    private ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || _offset + count > _packet.Length) throw new DnsFormatException($"needed {count} bytes at offset {_offset}, the packet has {_packet.Length}");
        var slice = _packet.Slice(_offset, count);
        _offset += count;
        return slice;
    }
}
