using Signage.Cli;

var parse = SignageCommand.Create().Parse(args);
if (parse.Errors.Count > 0 && !SignageCommand.AsksForHelp(parse))
{
    foreach (var error in parse.Errors) Console.Error.WriteLine($"signage: {error.Message}");
    Console.Error.WriteLine($"Run '{SignageCommand.CommandPath(parse.CommandResult.Command)} --help' for usage.");
    return ExitCodes.Usage;
}
return await parse.InvokeAsync();
