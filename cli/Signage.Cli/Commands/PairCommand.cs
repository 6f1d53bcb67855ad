using System.CommandLine;
using Signage.Contracts;

namespace Signage.Cli.Commands;

/// <summary>`signage pair CODE --name NAME`: claims the code a new screen shows, as the admin page does.</summary>
public static class PairCommand
{
    public static Command Create()
    {
        var appliance = new ApplianceOptions();
        var code = new Argument<string>("code") { Description = "The code the screen shows." };
        var name = new Option<string>("--name") { Description = "What to call the screen, e.g. \"Bar left\".", Required = true };
        var group = new Option<string?>("--group") { Description = "Put the screen in this group (its id)." };
        var json = new Option<bool>("--json") { Description = "Print the paired screen as JSON." };
        var command = SignageCommand.WithExamples("pair", 
            "Pair a screen: claim the code it shows, naming it. The screen starts playing within seconds.",
            "signage pair K7QX-2M --name \"Bar left\" --appliance http://192.168.1.20:5080 --email admin@venue.example",
            "signage pair K7QX-2M --name Entrance --group grp_0190… --json");
        command.Arguments.Add(code);
        command.Options.Add(name);
        command.Options.Add(group);
        command.Options.Add(json);
        appliance.AddTo(command);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            using var client = await appliance.ConnectAsync(parse, cancellationToken);
            var venue = await appliance.VenueAsync(parse, client, cancellationToken);
            var screen = await client.PostAsync($"/v1/venues/{venue.VenueId}/devices/pairing/claim",
                new PairingClaimRequest(parse.GetValue(code)!.Trim(), parse.GetValue(name)!, parse.GetValue(group)),
                ContractsJsonContext.Default.PairingClaimRequest, ContractsJsonContext.Default.DeviceResponse, cancellationToken);
            if (parse.GetValue(json)) Terminal.Json(screen, ContractsJsonContext.Default.DeviceResponse);
            else Terminal.Line($"Paired {screen.Name} ({screen.DeviceId}) in {venue.Name}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
