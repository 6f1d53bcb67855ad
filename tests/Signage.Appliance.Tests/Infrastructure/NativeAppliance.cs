using System.Diagnostics;

namespace Signage.Appliance.Tests.Infrastructure;

/// <summary>
/// The native AOT appliance binary the end-to-end tests run. Some failures exist only in the
/// native binary, so these tests never run the JIT build. The README's test command publishes it
/// once and passes its path in SIGNAGE_APPLIANCE_BIN; a plain <c>dotnet test</c> publishes it here.
/// </summary>
public static class NativeAppliance
{
    private static readonly Lazy<string> BinaryPath = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => BinaryPath.Value;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("SIGNAGE_APPLIANCE_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return File.Exists(fromEnvironment) ? System.IO.Path.GetFullPath(fromEnvironment)
                : throw new InvalidOperationException($"SIGNAGE_APPLIANCE_BIN points at '{fromEnvironment}', which does not exist.");
        }
        var output = System.IO.Path.Combine(RepositoryRoot, "artifacts", "test-appliance");
        var publish = Process.Start(new ProcessStartInfo("dotnet",
            ["publish", System.IO.Path.Combine(RepositoryRoot, "appliance", "Signage.Appliance"), "-c", "Release", "-r", "linux-x64", "-o", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = publish.StandardOutput.ReadToEndAsync();
        publish.StandardError.ReadToEnd();
        publish.WaitForExit();
        return publish.ExitCode == 0 ? System.IO.Path.Combine(output, "signage-appliance")
            : throw new InvalidOperationException($"Publishing the native appliance failed:\n{log.Result}");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Appliance.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Appliance.sln not found above the test binaries.");
    }
}
