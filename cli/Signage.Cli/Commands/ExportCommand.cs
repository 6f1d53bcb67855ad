using System.CommandLine;

namespace Signage.Cli.Commands;

/// <summary>`signage export pop --from --to`: the proof-of-play report as CSV, to a file or stdout.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var export = new Command("export", "Export reports from the appliance.");
        export.Subcommands.Add(ProofOfPlay());
        return export;
    }

    private static Command ProofOfPlay()
    {
        var appliance = new ApplianceOptions();
        var from = new Option<string>("--from") { Description = "First venue-local date, yyyy-MM-dd.", Required = true };
        var to = new Option<string>("--to") { Description = "Last venue-local date, yyyy-MM-dd (at most 366 days after --from).", Required = true };
        var groupBy = new Option<string>("--group-by") { Description = "campaign, content, device or day.", DefaultValueFactory = _ => "campaign" };
        groupBy.AcceptOnlyFromAmong("campaign", "content", "device", "day");
        var output = new Option<string?>("--output", "-o") { Description = "Write the CSV to this file (written whole, then renamed into place). Default: stdout." };
        var command = SignageCommand.WithExamples("pop", 
            "Proof of play as CSV (RFC 4180): plays and total duration per campaign, content, screen or day, with a TOTAL row.",
            "signage export pop --from 2026-11-01 --to 2026-11-30 -o november.csv --appliance http://192.168.1.20:5080 --email admin@venue.example",
            "signage export pop --from 2026-11-23 --to 2026-11-23 --group-by device > today.csv");
        command.Options.Add(from);
        command.Options.Add(to);
        command.Options.Add(groupBy);
        command.Options.Add(output);
        appliance.AddTo(command);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            using var client = await appliance.ConnectAsync(parse, cancellationToken);
            var venue = await appliance.VenueAsync(parse, client, cancellationToken);
            var query = $"from={Uri.EscapeDataString(parse.GetValue(from)!)}&to={Uri.EscapeDataString(parse.GetValue(to)!)}&groupBy={parse.GetValue(groupBy)}";
            using var response = await client.GetStreamAsync($"/v1/venues/{venue.VenueId}/reports/proof-of-play.csv?{query}", cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (parse.GetValue(output) is not { } path)
            {
                await using var stdout = Console.OpenStandardOutput();
                await body.CopyToAsync(stdout, cancellationToken);
                return ExitCodes.Ok;
            }
            var full = Path.GetFullPath(path);
            var temp = $"{full}.{Environment.ProcessId}.tmp";
            try
            {
                await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                {
                    await body.CopyToAsync(file, cancellationToken);
                    file.Flush(flushToDisk: true);
                }
                File.Move(temp, full, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (File.Exists(temp)) File.Delete(temp);
                throw new CliException(ExitCodes.Failure, $"Cannot write {full}: {e.Message}");
            }
            Terminal.Note($"Wrote {full}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
