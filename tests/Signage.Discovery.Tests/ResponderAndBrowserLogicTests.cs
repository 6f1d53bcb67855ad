using System.Net;
using Microsoft.Extensions.Time.Testing;
using Signage.Discovery.Dns;
using Signage.Discovery.Transport;

namespace Signage.Discovery.Tests;

/// <summary>The answering and caching rules, without a network (the multicast tests run them for real).</summary>
public sealed class ResponderAndBrowserLogicTests
{
    private const string Service = DiscoveryOptions.ApplianceServiceType;
    private static readonly MdnsInterface Eth0 = new(2, "eth0", [IPAddress.Parse("10.0.0.5")], [IPAddress.Parse("fe80::5")]);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    private static MdnsResponder Responder() =>
        new(new ServiceAdvertisement("Crown", "crown-box", 5080, ["v=1", "venue=ven_1"]), new DiscoveryOptions());

    [Fact]
    public void A_ptr_question_is_answered_with_the_instance_and_its_srv_txt_and_addresses_as_additionals()
    {
        var (answers, additionals) = Responder().Answer(DnsMessage.Query([new DnsQuestion(Service, DnsType.Ptr)]), Eth0);

        Assert.Equal(DnsRecord.Ptr(Service, "Crown." + Service, MdnsResponder.OtherRecordTtl), Assert.Single(answers));
        Assert.Equal([DnsType.Srv, DnsType.Txt, DnsType.A, DnsType.Aaaa], additionals.Select(r => r.Type));
        Assert.Contains(additionals, r => r.Data is AddressData { Address: var a } && a.Equals(IPAddress.Parse("10.0.0.5")));
    }

    [Fact]
    public void A_known_answer_with_at_least_half_the_ttl_suppresses_the_answer_and_a_staler_one_does_not()
    {
        var responder = Responder();
        var ptr = DnsRecord.Ptr(Service, "Crown." + Service, MdnsResponder.OtherRecordTtl);

        var fresh = responder.Answer(DnsMessage.Query([new DnsQuestion(Service, DnsType.Ptr)], [ptr with { Ttl = 2300 }]), Eth0);
        var stale = responder.Answer(DnsMessage.Query([new DnsQuestion(Service, DnsType.Ptr)], [ptr with { Ttl = 2000 }]), Eth0);

        Assert.Empty(fresh.Answers);
        Assert.Empty(fresh.Additionals);
        Assert.Single(stale.Answers);
    }

    [Fact]
    public void Questions_for_other_names_get_no_answer_and_the_host_name_gets_its_addresses()
    {
        var responder = Responder();

        Assert.Empty(responder.Answer(DnsMessage.Query([new DnsQuestion("_http._tcp.local", DnsType.Ptr)]), Eth0).Answers);
        var host = responder.Answer(DnsMessage.Query([new DnsQuestion("CROWN-BOX.local", DnsType.A)]), Eth0);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), ((AddressData)Assert.Single(host.Answers).Data).Address);
        Assert.Equal(2, responder.Answer(DnsMessage.Query([new DnsQuestion("crown-box.local", DnsType.Any)]), Eth0).Answers.Count);
    }

    private ApplianceBrowser Browser() => new(new DiscoveryOptions { Clock = _clock });

    private static DnsMessage Announcement(string address, uint ttl = 120, string instance = "Crown") => DnsMessage.Response(
    [
        DnsRecord.Ptr(Service, DnsName.Prepend(instance, Service), ttl == 0 ? 0u : 4500u),
        DnsRecord.Srv(DnsName.Prepend(instance, Service), 5080, "crown-box.local", ttl),
        DnsRecord.Txt(DnsName.Prepend(instance, Service), ["v=1", "venue=ven_1"], ttl == 0 ? 0u : 4500u),
        DnsRecord.Address("crown-box.local", IPAddress.Parse(address), ttl),
    ]);

    [Fact]
    public void An_announcement_makes_an_appliance_found_with_its_url()
    {
        var browser = Browser();
        var found = new List<DiscoveredAppliance>();
        browser.Found += found.Add;

        Assert.Empty(browser.Absorb(Announcement("10.0.0.5")));
        browser.Publish();

        var appliance = Assert.Single(found);
        Assert.Equal(new Uri("http://10.0.0.5:5080/"), appliance.BaseUrl);
        Assert.Equal("ven_1", appliance.VenueId);
        Assert.Equal("crown-box", appliance.Host);
    }

    [Fact]
    public void A_cache_flush_address_replaces_addresses_older_than_one_second_but_not_those_of_the_same_burst()
    {
        var browser = Browser();
        var changes = new List<DiscoveredAppliance>();
        browser.Changed += (_, after) => changes.Add(after);
        browser.Absorb(Announcement("10.0.0.5"));
        browser.Publish();

        _clock.Advance(TimeSpan.FromMilliseconds(500));
        browser.Absorb(DnsMessage.Response([DnsRecord.Address("crown-box.local", IPAddress.Parse("10.0.0.6"), 120)]));
        browser.Publish();
        Assert.Equal(["10.0.0.5", "10.0.0.6"], changes.Last().Addresses.Select(a => a.ToString()));

        _clock.Advance(TimeSpan.FromSeconds(2));
        browser.Absorb(DnsMessage.Response([DnsRecord.Address("crown-box.local", IPAddress.Parse("10.0.0.9"), 120)]));
        browser.Publish();
        Assert.Equal(["10.0.0.9"], changes.Last().Addresses.Select(a => a.ToString()));
        Assert.Equal(new Uri("http://10.0.0.9:5080/"), changes.Last().BaseUrl);
    }

    [Fact]
    public void A_goodbye_loses_the_appliance_at_once()
    {
        var browser = Browser();
        var lost = new List<DiscoveredAppliance>();
        browser.Lost += lost.Add;
        browser.Absorb(Announcement("10.0.0.5"));
        browser.Publish();

        browser.Absorb(Announcement("10.0.0.5", ttl: 0));
        browser.Publish();

        Assert.Equal("Crown", Assert.Single(lost).InstanceName);
        Assert.Empty(browser.Appliances);
    }

    [Fact]
    public void Records_are_refreshed_at_80_percent_of_their_ttl_and_dropped_when_it_runs_out()
    {
        var browser = Browser();
        var lost = new List<DiscoveredAppliance>();
        browser.Lost += lost.Add;
        browser.Absorb(Announcement("10.0.0.5"));
        browser.Publish();

        _clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Empty(browser.Maintain(_clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromSeconds(10)); // 100 of 120 s
        var refresh = browser.Maintain(_clock.GetUtcNow());
        Assert.Contains(new DnsQuestion("Crown." + Service, DnsType.Srv), refresh);
        Assert.Contains(new DnsQuestion("crown-box.local", DnsType.A), refresh);

        _clock.Advance(TimeSpan.FromSeconds(21));
        browser.Maintain(_clock.GetUtcNow());
        browser.Publish();
        Assert.Single(lost);
    }

    [Fact]
    public void A_ptr_without_srv_or_address_asks_for_what_is_missing_once_a_second()
    {
        var browser = Browser();
        var ptr = DnsMessage.Response([DnsRecord.Ptr(Service, "Crown." + Service, 4500)]);

        var first = browser.Absorb(ptr);
        var again = browser.Absorb(ptr);

        Assert.Equal([new DnsQuestion("Crown." + Service, DnsType.Srv), new DnsQuestion("Crown." + Service, DnsType.Txt)], first);
        Assert.Empty(again);
        browser.Publish();
        Assert.Empty(browser.Appliances);
    }

    [Fact]
    public void An_srv_without_addresses_asks_for_both_a_and_aaaa_and_an_ipv6_only_appliance_resolves_to_its_global_address()
    {
        var browser = Browser();
        var srv = DnsMessage.Response([DnsRecord.Ptr(Service, "Crown." + Service, 4500), DnsRecord.Srv("Crown." + Service, 5080, "crown-box.local", 120),
            DnsRecord.Txt("Crown." + Service, ["v=1"], 4500)]);

        Assert.Equal([new DnsQuestion("crown-box.local", DnsType.A), new DnsQuestion("crown-box.local", DnsType.Aaaa)], browser.Absorb(srv));

        browser.Absorb(DnsMessage.Response([DnsRecord.Address("crown-box.local", IPAddress.Parse("fe80::5"), 120),
            DnsRecord.Address("crown-box.local", IPAddress.Parse("fd77:1::5"), 120)]));
        browser.Publish();
        Assert.Equal(new Uri("http://[fd77:1::5]:5080/"), Assert.Single(browser.Appliances).BaseUrl);
    }
}
