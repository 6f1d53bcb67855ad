using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Signage.Cli.Commands;

namespace Signage.Cli;

/// <summary>The `signage` root command and the one place every command's failures become exit codes.</summary>
public static class SignageCommand
{
    public const string ExitCodeHelp = """
        Exit codes:
          0   done                          64  wrong or missing option
          1   unexpected failure            65  refused input, or a backup that fails verification
          2   doctor found a failing check  69  appliance unreachable, or not an appliance at that URL
          75  data directory in use by a running appliance, or rate-limited: try again later
          77  wrong email or password, or the account lacks the role
          78  data directory missing, not provisioned, or unusable
        """;

    public static RootCommand Create()
    {
        var root = new RootCommand($"""
            signage: set up and look after a Signage appliance.

            Commands that talk to a running appliance take --appliance URL and sign in with
            --email/--password or SIGNAGE_EMAIL/SIGNAGE_PASSWORD. Commands that work on this
            machine's data directory take --data-dir (default /var/lib/signage).

            {ExitCodeHelp}
            """);
        root.Subcommands.Add(DiscoverCommand.Create());
        root.Subcommands.Add(ProvisionCommand.Create());
        root.Subcommands.Add(AdminCommands.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(PairCommand.Create());
        root.Subcommands.Add(EnrollCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        AddExamplesToHelp(root);
        return root;
    }

    private static readonly Dictionary<Command, string[]> ExamplesByCommand = [];

    /// <summary>A command whose --help ends with these examples.</summary>
    public static Command WithExamples(string name, string description, params string[] examples)
    {
        var command = new Command(name, description);
        ExamplesByCommand[command] = examples;
        return command;
    }

    private static void AddExamplesToHelp(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExamples((SynchronousCommandLineAction)help.Action!);
    }

    /// <summary>--help wins over missing required options.</summary>
    public static bool AsksForHelp(ParseResult parse) => parse.Action is HelpWithExamples;

    private sealed class HelpWithExamples(SynchronousCommandLineAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exitCode = standard.Invoke(parseResult);
            if (ExamplesByCommand.TryGetValue(parseResult.CommandResult.Command, out var examples))
                Console.Out.WriteLine($"Examples:\n{string.Join('\n', examples.Select(e => "  " + e))}\n");
            return exitCode;
        }
    }

    /// <summary>"signage export pop", for messages.</summary>
    public static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault()) names.Insert(0, c.Name);
        return string.Join(' ', names);
    }

    /// <summary>Runs a command's body; a <see cref="CliException"/> prints its message and exits with its code.</summary>
    public static void SetHandler(this Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await body(parse, cancellationToken);
            }
            catch (CliException e)
            {
                Console.Error.WriteLine($"{CommandPath(command)}: {e.Message}");
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine($"{CommandPath(command)}: cancelled.");
                return 130;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"{CommandPath(command)}: unexpected failure: {e.GetType().Name}: {e.Message}");
                return ExitCodes.Failure;
            }
        });
}
