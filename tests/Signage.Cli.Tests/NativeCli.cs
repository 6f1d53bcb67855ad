using System.Diagnostics;
using System.Text;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Cli.Tests;

/// <summary>
/// The published native `signage` binary (AOT-only failures exist, so never the JIT build). test.sh
/// publishes it once and passes its path in SIGNAGE_CLI_BIN; a plain `dotnet test` publishes it here.
/// </summary>
public static class NativeCli
{
    private static readonly Lazy<string> BinaryPath = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => BinaryPath.Value;

    public sealed record Result(int ExitCode, string Output, string Errors)
    {
        public string All => Output + Errors;
    }

    /// <summary>Runs `signage` with these arguments; SIGNAGE_* variables of the test process are not passed on.</summary>
    public static Task<Result> RunAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? stdin = null) =>
        RunBinaryAsync(Path, arguments, environment, stdin);

    /// <summary>Runs any binary the same way (the appliance's verbs, a stand-in appliance).</summary>
    public static async Task<Result> RunBinaryAsync(string binary, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? stdin = null)
    {
        var start = new ProcessStartInfo(binary, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SIGNAGE_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await errors);
    }

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("SIGNAGE_CLI_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return File.Exists(fromEnvironment) ? System.IO.Path.GetFullPath(fromEnvironment)
                : throw new InvalidOperationException($"SIGNAGE_CLI_BIN points at '{fromEnvironment}', which does not exist.");
        }
        var output = System.IO.Path.Combine(NativeAppliance.RepositoryRoot, "artifacts", "test-cli");
        var publish = Process.Start(new ProcessStartInfo("dotnet",
            ["publish", System.IO.Path.Combine(NativeAppliance.RepositoryRoot, "cli", "Signage.Cli"), "-c", "Release", "-r", "linux-x64", "-o", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = publish.StandardOutput.ReadToEndAsync();
        publish.StandardError.ReadToEnd();
        publish.WaitForExit();
        return publish.ExitCode == 0 ? System.IO.Path.Combine(output, "signage")
            : throw new InvalidOperationException($"Publishing the native CLI failed:\n{log.Result}");
    }
}
