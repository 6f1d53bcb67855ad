using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Signage.Appliance.Discovery;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Appliance.Tests;

/// <summary>The advertiser's settings and the TLS fingerprint it publishes (the multicast side is tested in Signage.Discovery.Tests).</summary>
public sealed class DiscoverySettingsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("False", false)]
    [InlineData("not-a-bool", true)]
    public void Discovery_is_on_unless_turned_off(string? value, bool enabled) =>
        Assert.Equal(enabled, DiscoveryAdvertiser.IsEnabled(Config(new() { ["Discovery:Enabled"] = value })));

    [Fact]
    public void Interfaces_are_a_comma_separated_list_and_loopback_stays_off_by_default()
    {
        var options = DiscoveryAdvertiser.Options(Config(new() { ["Discovery:Interfaces"] = " eth0, wlan0 ,," }));

        Assert.Equal(["eth0", "wlan0"], options.Interfaces);
        Assert.False(options.AllowLoopback);
        Assert.Empty(DiscoveryAdvertiser.Options(Config([])).Interfaces);
    }

    [Fact]
    public void The_tls_fingerprint_is_the_sha256_of_the_configured_certificate_in_pem_or_pkcs12()
    {
        using var key = ECDsa.Create();
        using var certificate = new CertificateRequest("CN=venue-box.local", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var expected = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
        File.WriteAllText(_temp.Combine("cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllBytes(_temp.Combine("cert.pfx"), certificate.Export(X509ContentType.Pkcs12, "secret"));

        Assert.Equal(expected, DiscoveryAdvertiser.CertificateFingerprint(Config(new() { ["Kestrel:Certificates:Default:Path"] = _temp.Combine("cert.pem") })));
        Assert.Equal(expected, DiscoveryAdvertiser.CertificateFingerprint(Config(new()
        {
            ["Kestrel:Certificates:Default:Path"] = _temp.Combine("cert.pfx"),
            ["Kestrel:Certificates:Default:Password"] = "secret",
        })));
        Assert.Null(DiscoveryAdvertiser.CertificateFingerprint(Config([])));
    }
}
