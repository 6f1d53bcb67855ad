using System.CommandLine;
using Signage.Contracts;

namespace Signage.Cli.Commands;

/// <summary>`signage status`: health, screens online and open incidents of each venue the account sees, and
/// the hub sync (enrolled or standalone, last successful sync, backlog, last error).</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var appliance = new ApplianceOptions();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = SignageCommand.WithExamples("status", 
            "Health, screens online and open incidents of the appliance's venues, and the hub sync state.",
            "signage status --appliance http://192.168.1.20:5080 --email admin@venue.example",
            "SIGNAGE_EMAIL=admin@venue.example SIGNAGE_PASSWORD=… signage status --json");
        appliance.AddTo(command, withVenue: false);
        command.Options.Add(json);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            using var client = await appliance.ConnectAsync(parse, cancellationToken);
            var health = client.Health!;
            var venues = new List<VenueStatus>();
            foreach (var venue in await client.GetAllAsync("/v1/me/venues", ContractsJsonContext.Default.ItemsResponseVenueAccess, cancellationToken))
            {
                var screens = await client.GetAllAsync($"/v1/venues/{venue.VenueId}/devices", ContractsJsonContext.Default.ItemsResponseDeviceResponse, cancellationToken);
                var incidents = await client.GetAllAsync($"/v1/venues/{venue.VenueId}/incidents?status=open", ContractsJsonContext.Default.ItemsResponseIncidentResponse, cancellationToken);
                venues.Add(new VenueStatus(venue.VenueId, venue.Name, venue.Timezone, screens.Count, screens.Count(s => s.Status == "ONLINE"),
                    [.. screens], [.. incidents.Where(i => i.ResolvedAtUtc is null)]));
            }
            // The hub connection belongs to the whole appliance; the API reads it through any venue the caller sees.
            var hub = venues.Count == 0 ? null
                : await client.GetAsync($"/v1/venues/{venues[0].VenueId}/hub", ContractsJsonContext.Default.HubConnectionResponse, cancellationToken);
            var report = new StatusReport(client.BaseAddress.ToString(), health.Status, health.Version, health.Database.SchemaVersion, health.UptimeSeconds, [.. venues], hub);
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
            if (report.Hub is { } sync) Terminal.Line(Describe(sync));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One line: "Hub https://…: last successful sync …, 12 records waiting, last error … (at …)".</summary>
    internal static string Describe(HubConnectionResponse hub)
    {
        var waiting = hub.Backlog == 1 ? "1 record waiting" : $"{hub.Backlog} records waiting";
        if (!hub.Enrolled) return $"Hub: not enrolled (standalone), {waiting} to go up once enrolled";
        var line = $"Hub {hub.HubUrl}: last successful sync {hub.LastSuccessfulSyncUtc ?? "never"}, {waiting}";
        return hub.LastError is null ? line + ", no error" : line + $", last error at {hub.LastErrorAtUtc}: {hub.LastError}";
    }
}
