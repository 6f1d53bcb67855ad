using System.Net;
using Signage.Discovery.Dns;

namespace Signage.Discovery.Tests;

public sealed class DnsMessageTests
{
    private const string Service = "_signage-appliance._tcp.local";

    private static DnsMessage FullResponse() => DnsMessage.Response(
        [
            DnsRecord.Ptr(Service, DnsName.Prepend("Joe's Bar v2.0", Service), 4500),
            DnsRecord.Srv(DnsName.Prepend("Joe's Bar v2.0", Service), 5080, "joes-bar.local", 120),
            DnsRecord.Txt(DnsName.Prepend("Joe's Bar v2.0", Service), ["v=1", "venue=ven_1", "flag"], 4500),
        ],
        [
            DnsRecord.Address("joes-bar.local", IPAddress.Parse("192.168.1.20"), 120),
            DnsRecord.Address("joes-bar.local", IPAddress.Parse("fe80::1234:5678"), 120),
            new DnsRecord(DnsName.Prepend("Joe's Bar v2.0", Service), DnsType.Nsec, 120,
                new NsecData(DnsName.Prepend("Joe's Bar v2.0", Service), [DnsType.Txt, DnsType.Srv]), true),
            new DnsRecord("other.local", (DnsType)99, 10, new UnknownData([1, 2, 3])),
        ]);

    [Fact]
    public void Every_record_type_survives_an_encode_decode_round_trip()
    {
        var original = FullResponse();

        var decoded = DnsMessage.Decode(original.Encode());

        Assert.True(decoded.IsResponse);
        Assert.True(decoded.Authoritative);
        Assert.Equal(original.Answers, decoded.Answers);
        Assert.Equal(original.Additionals, decoded.Additionals);
        Assert.True(decoded.Answers[1].CacheFlush);
        Assert.False(decoded.Answers[0].CacheFlush);
    }

    [Fact]
    public void Questions_keep_their_unicast_response_bit_and_known_answers_their_ttl()
    {
        var query = DnsMessage.Query([new DnsQuestion(Service, DnsType.Ptr, UnicastResponse: true), new DnsQuestion("host.local", DnsType.A)],
            [DnsRecord.Ptr(Service, "X." + Service, 3000)]);

        var decoded = DnsMessage.Decode(query.Encode());

        Assert.False(decoded.IsResponse);
        Assert.Equal(query.Questions, decoded.Questions);
        Assert.Equal(3000u, decoded.Answers.Single().Ttl);
    }

    [Fact]
    public void Repeated_name_suffixes_are_written_once_and_then_as_pointers()
    {
        var packet = FullResponse().Encode();

        // "_signage-appliance" appears in six record names/targets but is spelled out once.
        var label = "_signage-appliance"u8.ToArray();
        Assert.Equal(1, Occurrences(packet, label));
        Assert.Contains(packet, b => (b & 0xC0) == 0xC0);
    }

    [Fact]
    public void The_srv_target_is_never_compressed()
    {
        var packet = DnsMessage.Response([DnsRecord.Ptr("a.local", "a.local", 1), DnsRecord.Srv("s.local", 1, "a.local", 1)]).Encode();

        // The PTR target compresses against the owner name; the SRV target spells "a.local" out again.
        Assert.Equal(2, Occurrences(packet, [1, (byte)'a', 5, .. "local"u8.ToArray(), 0]));
    }

    [Fact]
    public void A_hand_written_packet_with_compression_pointers_decodes()
    {
        byte[] packet =
        [
            0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0,           // response, 1 answer
            3, (byte)'b', (byte)'a', (byte)'r', 5, (byte)'l', (byte)'o', (byte)'c', (byte)'a', (byte)'l', 0, // offset 12: bar.local
            0, 12, 0, 1, 0, 0, 0, 60,                        // PTR IN ttl 60
            0, 6, 3, (byte)'f', (byte)'o', (byte)'o', 0xC0, 16, // rdata: foo + pointer to "local" (offset 16)
        ];

        var record = DnsMessage.Decode(packet).Answers.Single();

        Assert.Equal("bar.local", record.Name);
        Assert.Equal(new PtrData("foo.local"), record.Data);
        Assert.Equal(60u, record.Ttl);
    }

    [Fact]
    public void Instance_labels_with_dots_and_backslashes_stay_one_label()
    {
        var name = DnsName.Prepend(@"Bar 2.0 \ Lounge", Service);

        var decoded = DnsMessage.Decode(DnsMessage.Response([DnsRecord.Ptr(Service, name, 1)]).Encode());

        var target = ((PtrData)decoded.Answers[0].Data).Target;
        Assert.Equal(@"Bar 2.0 \ Lounge", DnsName.Split(target)[0]);
        Assert.Equal(4, DnsName.Split(target).Count);
    }

    [Fact]
    public void Names_compare_without_regard_to_case()
    {
        Assert.True(DnsRecord.Ptr("_X._tcp.local", "A._x._tcp.local", 1).SameAs(DnsRecord.Ptr("_x._TCP.local", "a._x._tcp.LOCAL", 99)));
    }

    [Theory]
    [InlineData("Joe's Bar", "Joe's Bar (2)")]
    [InlineData("Joe's Bar (2)", "Joe's Bar (3)")]
    [InlineData("Bar (9)", "Bar (10)")]
    [InlineData("(2)", "(2) (2)")]
    public void A_conflicting_name_becomes_the_next_numbered_name(string name, string next) =>
        Assert.Equal(next, MdnsResponder.NextName(name));

    [Fact]
    public void Long_venue_names_are_cut_to_a_dns_label_without_splitting_a_character()
    {
        var name = new string('é', 40); // 80 bytes of UTF-8

        var label = DnsName.TruncateLabel(name, reserveBytes: 5);

        Assert.Equal(29, label.Length);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(label) <= 58);
    }

    [Theory]
    [InlineData("mini-pc", "mini-pc")]
    [InlineData("Venue_Box.lan", "Venue-Box")]
    [InlineData("___", "signage-appliance")]
    public void Machine_names_become_plain_host_labels(string machine, string label) =>
        Assert.Equal(label, ServiceAdvertisement.HostLabel(machine));

    [Fact]
    public void Txt_entries_read_as_pairs_and_the_first_of_a_repeated_key_wins()
    {
        var txt = new TxtData(["v=1", "V=2", "flag", "tls=ab=cd", "=nokey"]).ToDictionary();

        Assert.Equal("1", txt["v"]);
        Assert.Equal("", txt["flag"]);
        Assert.Equal("ab=cd", txt["tls"]);
        Assert.Equal(3, txt.Count);
    }

    [Fact]
    public void The_url_prefers_a_routable_ipv4_address_and_https_when_a_fingerprint_is_published()
    {
        IReadOnlyList<IPAddress> addresses = [IPAddress.Parse("169.254.3.3"), IPAddress.Parse("10.0.0.7"), IPAddress.Parse("2001:db8::7")];

        Assert.Equal(new Uri("http://10.0.0.7:5080/"), DiscoveredAppliance.UrlFor("box.local", 5080, addresses, new Dictionary<string, string>()));
        Assert.Equal(new Uri("https://10.0.0.7:8443/"), DiscoveredAppliance.UrlFor("box.local", 8443, addresses, new Dictionary<string, string> { ["tls"] = "ab" }));
        Assert.Equal(new Uri("http://[2001:db8::7]:80/"), DiscoveredAppliance.UrlFor("box.local", 80, [IPAddress.Parse("2001:db8::7")], new Dictionary<string, string>()));
        Assert.Equal(new Uri("http://box.local:80/"), DiscoveredAppliance.UrlFor("box.local", 80, [IPAddress.Parse("fe80::1")], new Dictionary<string, string>()));
    }

    public static TheoryData<string, byte[]> MalformedPackets() => new()
    {
        { "shorter than a header", [0, 0, 0x84] },
        { "counts far beyond the packet", [0, 0, 0x84, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] },
        { "pointer to itself", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 1, 0, 0] },
        { "pointer forwards", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 20, 0, 12, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0] },
        { "pointer loop through a label", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, (byte)'a', 0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 1, 0, 0] },
        { "label past the end", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 40, (byte)'a'] },
        { "reserved label type", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x40, 0, 0, 12, 0, 1, 0, 0, 0, 1, 0, 0] },
        { "rdata length past the end", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 200, 1, 2, 3, 4] },
        { "A record of 3 bytes", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 3, 1, 2, 3] },
        { "PTR data shorter than its name", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 12, 0, 1, 0, 0, 0, 1, 0, 1, 3, (byte)'a', (byte)'b', (byte)'c', 0] },
        { "TXT string past its record", [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 16, 0, 1, 0, 0, 0, 1, 0, 2, 5, (byte)'a'] },
    };

    [Theory]
    [MemberData(nameof(MalformedPackets))]
    public void A_malformed_packet_is_a_format_error(string why, byte[] packet)
    {
        var error = Assert.Throws<DnsFormatException>(() => DnsMessage.Decode(packet));
        Assert.False(string.IsNullOrEmpty(error.Message), why);
    }

    [Fact]
    public void Every_truncation_and_every_single_byte_corruption_of_a_real_packet_decodes_or_is_a_format_error()
    {
        var packet = FullResponse().Encode();
        var outcomes = 0;
        for (var length = 0; length < packet.Length; length++) outcomes += DecodesOrFormatError(packet[..length]);
        for (var at = 0; at < packet.Length; at++)
        {
            foreach (var value in new byte[] { 0x00, 0x3F, 0xC0, 0xFF })
            {
                var corrupt = (byte[])packet.Clone();
                corrupt[at] = value;
                outcomes += DecodesOrFormatError(corrupt);
            }
        }
        var random = new Random(6762);
        for (var i = 0; i < 20_000; i++)
        {
            var noise = new byte[random.Next(0, 80)];
            random.NextBytes(noise);
            if (noise.Length >= 12) noise[4] = noise[6] = noise[8] = noise[10] = 0; // small counts, so parsing goes deep
            outcomes += DecodesOrFormatError(noise);
        }
        Assert.Equal(packet.Length + packet.Length * 4 + 20_000, outcomes);
    }

    private static int DecodesOrFormatError(byte[] packet)
    {
        try
        {
            DnsMessage.Decode(packet);
        }
        catch (DnsFormatException)
        {
        }
        return 1; // any other exception fails the test
    }

    private static int Occurrences(byte[] haystack, byte[] needle)
    {
        var count = 0;
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) count++;
        return count;
    }
}
