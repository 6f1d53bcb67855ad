using System.CommandLine;
using Signage.Discovery;

namespace Signage.Cli.Commands;

/// <summary>`signage discover`: the appliances that answer on this LAN by mDNS / DNS-SD
/// (service _signage-appliance._tcp), with the URL every other command takes as --appliance.</summary>
public static class DiscoverCommand
{
    public static Command Create()
    {
        var seconds = new Option<int>("--seconds") { Description = "How long to listen for answers.", DefaultValueFactory = _ => 3 };
        var interfaces = new Option<string[]>("--interface") { Description = "Only this network interface (repeatable), e.g. eth0.", AllowMultipleArgumentsPerToken = true };
        var json = new Option<bool>("--json") { Description = "Print the appliances found as JSON." };
        var command = SignageCommand.WithExamples("discover",
            "Find the appliances on this network by mDNS (UDP 5353 multicast must be allowed).",
            "signage discover",
            "signage discover --seconds 10 --interface eth0 --json");
        command.Options.Add(seconds);
        command.Options.Add(interfaces);
        command.Options.Add(json);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            var duration = parse.GetValue(seconds);
            if (duration is < 1 or > 600) throw new CliException(ExitCodes.Usage, "--seconds must be between 1 and 600.");
            var options = new DiscoveryOptions { Interfaces = parse.GetValue(interfaces) ?? [] };
            var found = await ApplianceBrowser.BrowseAsync(options, TimeSpan.FromSeconds(duration), cancellationToken);
            var report = found.Select(a => new DiscoveredApplianceReport(a.InstanceName, a.BaseUrl.ToString(), a.Host, a.Port,
                [.. a.Addresses.Select(address => address.ToString())], a.Txt.GetValueOrDefault("venue"), a.Txt.GetValueOrDefault("v"))).ToArray();
            if (parse.GetValue(json)) { Terminal.Json(report, CliJsonContext.Default.DiscoveredApplianceReportArray); return ExitCodes.Ok; }

            if (report.Length == 0)
            {
                Terminal.Line($"No appliance answered within {duration} s. Check that this machine is on the venue's network and that UDP 5353 multicast is allowed (signage doctor).");
                return ExitCodes.Unavailable;
            }
            foreach (var appliance in report)
                Terminal.Line($"{appliance.Name,-32} {appliance.Url,-32} venue {appliance.VenueId ?? "(not set up)"}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
