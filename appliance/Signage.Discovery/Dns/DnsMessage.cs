using System.Net;

namespace Signage.Discovery.Dns;

/// <summary>The record types mDNS / DNS-SD uses (RFC 1035, 2782, 3596, 4034, 6763).</summary>
public enum DnsType : ushort
{
    A = 1,
    Ptr = 12,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Nsec = 47,
    Any = 255,
}

/// <summary>
/// A question. <paramref name="UnicastResponse"/> is mDNS's "QU" bit (the top bit of the class field,
/// RFC 6762 section 5.4). Names are in the escaped text form of <see cref="DnsName"/>.
/// </summary>
public sealed record DnsQuestion(string Name, DnsType Type, bool UnicastResponse = false)
{
    public bool Matches(DnsRecord record) =>
        DnsName.Equal(Name, record.Name) && (Type == DnsType.Any || Type == record.Type);
}

/// <summary>
/// A resource record of class IN. <paramref name="CacheFlush"/> is mDNS's top bit of the class field
/// (RFC 6762 section 10.2): set on unique records (SRV, TXT, A, AAAA), never on shared ones (PTR).
/// </summary>
public sealed record DnsRecord(string Name, DnsType Type, uint Ttl, RecordData Data, bool CacheFlush = false)
{
    /// <summary>Same name, type and data: the same record whatever its TTL (RFC 6762 section 7.1).</summary>
    public bool SameAs(DnsRecord other) => DnsName.Equal(Name, other.Name) && Type == other.Type && Data.Equals(other.Data);

    public static DnsRecord Ptr(string name, string target, uint ttl) => new(name, DnsType.Ptr, ttl, new PtrData(target));

    public static DnsRecord Srv(string name, ushort port, string target, uint ttl) => new(name, DnsType.Srv, ttl, new SrvData(0, 0, port, target), true);

    public static DnsRecord Txt(string name, IReadOnlyList<string> entries, uint ttl) => new(name, DnsType.Txt, ttl, new TxtData(entries), true);

    public static DnsRecord Address(string name, IPAddress address, uint ttl) =>
        new(name, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsType.Aaaa : DnsType.A, ttl, new AddressData(address), true);
}

/// <summary>The type-specific part of a record. Records compare by value, so "the same record" is plain equality.</summary>
public abstract record RecordData;

public sealed record PtrData(string Target) : RecordData
{
    public bool Equals(PtrData? other) => other is not null && DnsName.Equal(Target, other.Target);

    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Target);
}

public sealed record SrvData(ushort Priority, ushort Weight, ushort Port, string Target) : RecordData
{
    public bool Equals(SrvData? other) =>
        other is not null && Priority == other.Priority && Weight == other.Weight && Port == other.Port && DnsName.Equal(Target, other.Target);

    public override int GetHashCode() => HashCode.Combine(Priority, Weight, Port, StringComparer.OrdinalIgnoreCase.GetHashCode(Target));
}

/// <summary>TXT: a list of strings of up to 255 bytes each; DNS-SD uses "key=value" entries (RFC 6763 section 6).</summary>
public sealed record TxtData(IReadOnlyList<string> Entries) : RecordData
{
    public bool Equals(TxtData? other) => other is not null && Entries.SequenceEqual(other.Entries, StringComparer.Ordinal);

    public override int GetHashCode() => Entries.Aggregate(0, (hash, entry) => HashCode.Combine(hash, entry));

    /// <summary>The "key=value" pairs; a key without '=' has an empty value; the first of a repeated key wins (RFC 6763 section 6.4).</summary>
    public IReadOnlyDictionary<string, string> ToDictionary()
    {
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Entries)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? entry : entry[..equals];
            if (key.Length > 0) pairs.TryAdd(key, equals < 0 ? "" : entry[(equals + 1)..]);
        }
        return pairs;
    }
}

public sealed record AddressData(IPAddress Address) : RecordData;

/// <summary>NSEC as mDNS uses it (RFC 6762 section 6.1): "this name has only these types".</summary>
public sealed record NsecData(string NextName, IReadOnlyList<DnsType> Types) : RecordData
{
    public bool Equals(NsecData? other) => other is not null && DnsName.Equal(NextName, other.NextName) && Types.SequenceEqual(other.Types);

    public override int GetHashCode() => Types.Aggregate(StringComparer.OrdinalIgnoreCase.GetHashCode(NextName), (hash, type) => HashCode.Combine(hash, type));
}

/// <summary>Any other type, kept as raw bytes (compared byte by byte).</summary>
public sealed record UnknownData(byte[] Bytes) : RecordData
{
    public bool Equals(UnknownData? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    public override int GetHashCode() => Bytes.Length;
}

/// <summary>A DNS message: header flags that mDNS uses and the four sections.</summary>
public sealed record DnsMessage(
    ushort Id,
    bool IsResponse,
    bool Authoritative,
    IReadOnlyList<DnsQuestion> Questions,
    IReadOnlyList<DnsRecord> Answers,
    IReadOnlyList<DnsRecord> Authorities,
    IReadOnlyList<DnsRecord> Additionals)
{
    public static DnsMessage Query(IReadOnlyList<DnsQuestion> questions, IReadOnlyList<DnsRecord>? knownAnswers = null, IReadOnlyList<DnsRecord>? authorities = null) =>
        new(0, false, false, questions, knownAnswers ?? [], authorities ?? [], []);

    public static DnsMessage Response(IReadOnlyList<DnsRecord> answers, IReadOnlyList<DnsRecord>? additionals = null) =>
        new(0, true, true, [], answers, [], additionals ?? []);

    /// <summary>Every record of the answer, authority and additional sections.</summary>
    public IEnumerable<DnsRecord> AllRecords => Answers.Concat(Authorities).Concat(Additionals);

    public byte[] Encode() => DnsWriter.Write(this);

    /// <summary>Parses a packet; throws <see cref="DnsFormatException"/> (and nothing else) when it is malformed.</summary>
    public static DnsMessage Decode(ReadOnlySpan<byte> packet) => DnsReader.Read(packet);
}

/// <summary>A packet that is not a well-formed DNS message.</summary>
public sealed class DnsFormatException(string message) : Exception(message);
