using System.CommandLine;
using Signage.Contracts;

namespace Signage.Cli.Commands;

/// <summary>`signage status`: health, screens online and open incidents of each venue the account sees.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var appliance = new ApplianceOptions();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = SignageCommand.WithExamples("status", 
            "Health, screens online and open incidents of the appliance's venues.",
            "signage status --appliance http://192.168.1.20:5080 --email admin@venue.example",
            "SIGNAGE_EMAIL=admin@venue.example SIGNAGE_PASSWORD=… signage status --json");
        appliance.AddTo(command, withVenue: false);
        command.Options.Add(json);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            using var client = await appliance.ConnectAsync(parse, cancellationToken);
            var health = client.Health!;
            var venues = new List<VenueStatus>();
            foreach (var venue in (await client.GetAsync("/v1/me/venues", ContractsJsonContext.Default.ItemsResponseVenueAccess, cancellationToken)).Items)
            {
                var screens = (await client.GetAsync($"/v1/venues/{venue.VenueId}/devices", ContractsJsonContext.Default.ItemsResponseDeviceResponse, cancellationToken)).Items;
                var incidents = (await client.GetAsync($"/v1/venues/{venue.VenueId}/incidents?status=open", ContractsJsonContext.Default.ItemsResponseIncidentResponse, cancellationToken)).Items;
                venues.Add(new VenueStatus(venue.VenueId, venue.Name, venue.Timezone, screens.Count, screens.Count(s => s.Status == "ONLINE"),
                    [.. screens], [.. incidents.Where(i => i.ResolvedAtUtc is null)]));
            }
            var report = new StatusReport(client.BaseAddress.ToString(), health.Status, health.Version, health.Database.SchemaVersion, health.UptimeSeconds, [.. venues]);
            if (parse.GetValue(json)) { Terminal.Json(report, CliJsonContext.Default.StatusReport); return ExitCodes.Ok; }

            Terminal.Line($"Appliance {report.Appliance}: {report.Status}, version {report.Version}, schema {report.SchemaVersion}, up {TimeSpan.FromSeconds(report.UptimeSeconds)}");
            foreach (var venue in report.Venues)
            {
                Terminal.Line($"Venue {venue.Name} ({venue.VenueId}, {venue.Timezone}): {venue.ScreensOnline} of {venue.ScreensTotal} screens online, {venue.OpenIncidents.Length} open incidents");
                foreach (var screen in venue.Screens)
                    Terminal.Line($"  screen {screen.Name,-24} {screen.Status,-10} {screen.ContentState,-11} last seen {screen.LastSeenAtUtc ?? "never"}");
                foreach (var incident in venue.OpenIncidents)
                    Terminal.Line($"  incident {incident.Severity} {incident.Type} on {incident.DeviceId} since {incident.OpenedAtUtc}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
