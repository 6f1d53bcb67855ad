using System.CommandLine;
using System.Text.Json;

namespace Signage.Cli.Commands;

/// <summary>
/// `signage enroll --hub URL --code CODE`: asks the appliance to trade a hub enrollment code
/// (POST /v1/venues/{venueId}/hub/enroll); the appliance keeps the credential the hub returns.
/// </summary>
public static class EnrollCommand
{
    public static Command Create()
    {
        var appliance = new ApplianceOptions();
        var hub = new Option<string>("--hub") { Description = "The cloud hub's address, e.g. https://hub.example.com.", Required = true };
        var code = new Option<string>("--code") { Description = "The one-time enrollment code from the hub's venue page.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the appliance's answer as JSON." };
        var command = SignageCommand.WithExamples("enroll", 
            "Connect this appliance's venue to the cloud hub with a one-time enrollment code.",
            "signage enroll --hub https://hub.example.com --code 4F7K-Q2ZP --appliance http://127.0.0.1:5080 --email admin@venue.example");
        command.Options.Add(hub);
        command.Options.Add(code);
        command.Options.Add(json);
        appliance.AddTo(command);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            var hubUrl = parse.GetValue(hub)!;
            if (!Uri.TryCreate(hubUrl, UriKind.Absolute, out var hubUri) || (hubUri.Scheme != Uri.UriSchemeHttps && hubUri.Scheme != Uri.UriSchemeHttp))
                throw new CliException(ExitCodes.Usage, $"--hub '{hubUrl}' is not an http(s) URL such as https://hub.example.com.");
            using var client = await appliance.ConnectAsync(parse, cancellationToken);
            var venue = await appliance.VenueAsync(parse, client, cancellationToken);
            var answer = await client.PostAsync($"/v1/venues/{venue.VenueId}/hub/enroll", new HubEnrollCommand(hubUri.ToString().TrimEnd('/'), parse.GetValue(code)!.Trim()),
                CliJsonContext.Default.HubEnrollCommand, CliJsonContext.Default.JsonElement, cancellationToken);
            if (parse.GetValue(json)) Terminal.Json(answer, CliJsonContext.Default.JsonElement);
            else
            {
                var hubVenue = answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("hubVenueId", out var id) ? $" as hub venue {id}" : "";
                Terminal.Line($"Enrolled {venue.Name} with {hubUri.GetLeftPart(UriPartial.Authority)}{hubVenue}.");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
