using System.CommandLine;
using Signage.Contracts;

namespace Signage.Cli.Commands;

/// <summary>
/// `signage provision`: turns an empty data directory into a ready appliance in one step.
/// <list type="number">
/// <item>It runs the appliance binary itself with <c>--init</c>, which prepares the directory,
/// applies the migrations, makes the keys and creates the venue and first admin from
/// SIGNAGE_ADMIN_EMAIL/PASSWORD/VENUE_NAME/VENUE_TIMEZONE, then exits. So the schema and the
/// validation rules are the appliance's own: nothing is duplicated here.</item>
/// <item>It writes the listen URLs to <c>&lt;data-dir&gt;/appliance.env</c> (temp file + rename),
/// which the systemd unit reads with <c>EnvironmentFile=</c>.</item>
/// </list>
/// The password reaches the appliance through its environment, never its command line; what
/// happened comes back as the appliance's exit code and its one result line, never its log text.
/// </summary>
public static class ProvisionCommand
{
    public const string SettingsFileName = "appliance.env";

    public static Command Create()
    {
        var dataDir = ApplianceData.DirectoryOption();
        var urls = new Option<string>("--urls") { Description = "Addresses the appliance listens on, ';'-separated.", DefaultValueFactory = _ => "http://0.0.0.0:5080" };
        var venueName = new Option<string>("--venue-name") { Description = "The venue's name, e.g. \"The Crown\".", Required = true };
        var timezone = new Option<string?>("--timezone") { Description = "The venue's IANA time zone, e.g. Europe/London. Default: this machine's." };
        var email = new Option<string>("--admin-email") { Description = "The first admin's email (their sign-in).", Required = true };
        var stdin = AdminCommands.PasswordStdinOption();
        var applianceBin = ApplianceBinary.PathOption();
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = SignageCommand.WithExamples("provision", 
            "Set up a new appliance: data directory, schema, keys, venue, first admin, listen URLs. Run it once, with the appliance stopped.",
            "sudo -u signage signage provision --venue-name \"The Crown\" --timezone Europe/London --admin-email owner@venue.example",
            "echo \"$PASSWORD\" | signage provision -d /var/lib/signage --urls http://0.0.0.0:80 --venue-name Crown --admin-email a@b.example --password-stdin --json");
        foreach (var option in new Option[] { dataDir, urls, venueName, timezone, email, stdin, applianceBin, json }) command.Options.Add(option);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            var directory = ApplianceData.Full(parse, dataDir);
            var listen = RequireUrls(parse.GetValue(urls)!);
            var admin = AdminCommands.RequireEmail(parse.GetValue(email));
            var venue = parse.GetValue(venueName)!.Trim();
            if (venue.Length is 0 or > 100) throw new CliException(ExitCodes.Usage, "--venue-name must be 1 to 100 characters.");
            var zone = parse.GetValue(timezone) ?? (TimeZoneInfo.Local.HasIanaId ? TimeZoneInfo.Local.Id : "UTC");
            var binary = ApplianceBinary.Find(parse.GetValue(applianceBin));

            if (Directory.Exists(directory))
            {
                using (ApplianceData.Lock(directory)) { }
                if (UserCount(directory) is > 0 and var users)
                    throw new CliException(ExitCodes.DataError,
                        $"{directory} is already provisioned ({users} accounts). Use `signage admin create` to add an admin, or give an empty --data-dir.");
            }
            var password = AdminCommands.NewPassword(parse, stdin);

            ApplianceVerbResult init;
            try
            {
                init = await ApplianceBinary.RunAsync(binary, ["--data-dir", directory, ApplianceVerbs.Init], new Dictionary<string, string>
                {
                    ["SIGNAGE_ADMIN_EMAIL"] = admin,
                    ["SIGNAGE_ADMIN_PASSWORD"] = password,
                    ["SIGNAGE_VENUE_NAME"] = venue,
                    ["SIGNAGE_VENUE_TIMEZONE"] = zone,
                }, null, cancellationToken);
            }
            catch (CliException e)
            {
                throw new CliException(e.ExitCode == ExitCodes.Config ? ExitCodes.Config : ExitCodes.Failure, $"The appliance could not prepare {directory}: {e.Message}");
            }
            if (init.AdminCreated != true)
                throw new CliException(ExitCodes.Failure, $"The appliance prepared {directory} but created no admin; see {Path.Combine(directory, "logs")}.");

            var settings = Path.Combine(directory, SettingsFileName);
            WriteSettings(settings, listen);
            ApplianceData.HandToOwner(directory);

            var result = new ProvisionResult(directory, listen, settings, venue, zone, admin);
            if (parse.GetValue(json)) Terminal.Json(result, CliJsonContext.Default.ProvisionResult);
            else
            {
                Terminal.Line($"Provisioned {directory}: venue {venue} ({zone}), admin {admin}.");
                Terminal.Line($"Listen URLs {listen} are in {settings}. Start the appliance: sudo systemctl restart signage");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string RequireUrls(string value)
    {
        var urls = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.AbsolutePath != "/")
                throw new CliException(ExitCodes.Usage, $"--urls: '{url}' is not a listen address such as http://0.0.0.0:5080.");
        }
        return urls.Length > 0 ? string.Join(';', urls) : throw new CliException(ExitCodes.Usage, "--urls is empty.");
    }

    private static long UserCount(string directory)
    {
        if (!File.Exists(Path.Combine(directory, ApplianceData.DatabaseFileName))) return 0;
        using var connection = ApplianceData.OpenDatabase(directory);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'user_account';";
        if ((long)command.ExecuteScalar()! == 0) return 0;
        command.CommandText = "SELECT COUNT(*) FROM user_account;";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>KEY=value lines for systemd's EnvironmentFile (and a shell's `set -a; . file`).</summary>
    private static void WriteSettings(string path, string urls)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, $"# Written by `signage provision`; read by the signage systemd unit (EnvironmentFile=).\nSIGNAGE_URLS={urls}\n");
        using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite)) stream.Flush(flushToDisk: true);
        File.Move(temp, path, overwrite: true);
    }
}
