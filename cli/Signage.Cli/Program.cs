using Signage.Cli;

var parse = SignageCommand.Create().Parse(args);
if (parse.Errors.Count > 0 && !SignageCommand.AsksForHelp(parse))
{
    foreach (var error in parse.Errors) Console.Error.WriteLine($"signage: {error.Message}");
    Console.Error.WriteLine($"Run '{string.Join(' ', parse.CommandResult.Command.Name == "signage" ? ["signage"] : ["signage", .. CommandPath(parse.CommandResult)])} --help' for usage.");
    return ExitCodes.Usage;
}
return await parse.InvokeAsync();

static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
{
    var names = new Stack<string>();
    for (var r = result; r is not null && r.Command.Name != "signage"; r = r.Parent as System.CommandLine.Parsing.CommandResult) names.Push(r.Command.Name);
    return names;
}
