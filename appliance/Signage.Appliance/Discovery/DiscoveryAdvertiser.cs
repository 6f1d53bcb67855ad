using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Signage.Appliance.Data;
using Signage.Discovery;

namespace Signage.Appliance.Discovery;

/// <summary>
/// Advertises this appliance on the LAN by mDNS / DNS-SD once Kestrel listens, so screens find it
/// without anyone typing an address: <c>&lt;venue name&gt;._signage-appliance._tcp.local</c>, SRV to
/// <c>&lt;host&gt;.local</c> and the listening port, TXT <c>v=1</c>, <c>venue=&lt;venue id&gt;</c> and, when it
/// serves HTTPS, <c>tls=&lt;SHA-256 of the certificate&gt;</c>. Goodbyes go out when the appliance stops.
/// Settings (docs/ARCHITECTURE.md, "Discovery"): <c>Discovery:Enabled</c> (default true),
/// <c>Discovery:Interfaces</c> (comma-separated interface names; default every suitable one),
/// <c>Discovery:HostName</c> (default the machine name), <c>Discovery:AllowLoopback</c> (tests).
/// A failure here (port 5353 held exclusively by another program, no interface) is logged; the
/// appliance keeps serving.
/// </summary>
public sealed partial class DiscoveryAdvertiser(
    IConfiguration configuration,
    Database database,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILogger<DiscoveryAdvertiser> logger) : BackgroundService
{
    public const string ApiVersion = "1";
    private MdnsResponder? _responder;

    public static bool IsEnabled(IConfiguration configuration) =>
        !bool.TryParse(configuration["Discovery:Enabled"], out var enabled) || enabled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The port is known only once Kestrel has bound (a configured port 0 included).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        try
        {
            var advertisement = Advertisement();
            if (advertisement is null) return;
            var responder = new MdnsResponder(advertisement, Options(configuration), logger);
            _responder = responder;
            await responder.StartAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException or CryptographicException or IOException)
        {
            LogCannotAdvertise(logger, e.Message);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // First let a start still probing give up, then say goodbye if it got as far as announcing.
        await base.StopAsync(cancellationToken);
        if (_responder is { } responder) await responder.DisposeAsync();
    }

    internal static DiscoveryOptions Options(IConfiguration configuration) => new()
    {
        Interfaces = (configuration["Discovery:Interfaces"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        AllowLoopback = bool.TryParse(configuration["Discovery:AllowLoopback"], out var loopback) && loopback,
    };

    private ServiceAdvertisement? Advertisement()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var listening = addresses.Select(BindingAddress.Parse).ToList();
        var endpoint = listening.FirstOrDefault(a => a.Scheme == "https") ?? listening.FirstOrDefault(a => a.Scheme == "http");
        if (endpoint is null)
        {
            LogCannotAdvertise(logger, "no http(s) address to advertise");
            return null;
        }

        using var connection = database.Open();
        var venue = connection.QuerySingle("SELECT venue_id, name FROM venue ORDER BY created_at_utc, venue_id LIMIT 1;", null,
            r => new { Id = r.GetString(0), Name = r.GetString(1) });
        var txt = new List<string> { $"{ServiceAdvertisement.Keys.ApiVersion}={ApiVersion}" };
        if (venue is not null) txt.Add($"{ServiceAdvertisement.Keys.VenueId}={venue.Id}");
        if (endpoint.Scheme == "https" && CertificateFingerprint(configuration) is { } fingerprint)
            txt.Add($"{ServiceAdvertisement.Keys.TlsFingerprint}={fingerprint}");

        var host = ServiceAdvertisement.HostLabel(configuration["Discovery:HostName"] is { Length: > 0 } configured ? configured : Environment.MachineName);
        var instance = venue?.Name is { Length: > 0 } name ? name : $"Signage appliance {host}";
        return new ServiceAdvertisement(instance, host, endpoint.Port, txt);
    }

    /// <summary>
    /// SHA-256 of the HTTPS certificate Kestrel is configured with (<c>Kestrel:Certificates:Default:Path</c>,
    /// a PEM/DER certificate or a PKCS#12 file with <c>:Password</c>), lower-case hex: screens pin it.
    /// </summary>
    internal static string? CertificateFingerprint(IConfiguration configuration)
    {
        var path = configuration["Kestrel:Certificates:Default:Path"];
        if (string.IsNullOrWhiteSpace(path)) return null;
        using var certificate = Path.GetExtension(path).ToLowerInvariant() is ".pfx" or ".p12"
            ? X509CertificateLoader.LoadPkcs12FromFile(path, configuration["Kestrel:Certificates:Default:Password"])
            : X509CertificateLoader.LoadCertificateFromFile(path);
        return Fingerprint(certificate);
    }

    internal static string Fingerprint(X509Certificate2 certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    [LoggerMessage(EventId = 7201, Level = LogLevel.Warning, Message = "mDNS discovery is off for this run: {Reason}. Screens need the appliance's address typed in.")]
    private static partial void LogCannotAdvertise(ILogger logger, string reason);
}
