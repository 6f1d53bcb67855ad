using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Discovery.Tests.Infrastructure;

/// <summary>
/// A process started inside a network namespace (<c>ip netns exec NS …</c>), its output lines kept.
/// The discovery test host writes one JSON object per line; <see cref="WaitForEventAsync"/> waits for one.
/// </summary>
public sealed class NamespacedProcess : IAsyncDisposable
{
    private static readonly Lazy<string> TestHostDll = new(() => BuiltDll("tests", "Signage.Discovery.TestHost", "Signage.Discovery.TestHost.dll"));
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _newLine = new(0);

    private NamespacedProcess(Process process) => _process = process;

    public IReadOnlyList<string> Lines => [.. _lines];

    public bool HasExited => _process.HasExited;

    /// <summary>The discovery test host (respond … / browse …) inside <paramref name="ns"/>.</summary>
    public static NamespacedProcess TestHost(string ns, params string[] arguments) => Start(ns, "dotnet", [TestHostDll.Value, .. arguments]);

    public static NamespacedProcess Start(string ns, string program, IReadOnlyList<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("ip", ["netns", "exec", ns, program, .. arguments])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var wrapper = new NamespacedProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>The first JSON line (from the start) with this "event" that satisfies <paramref name="match"/>.</summary>
    public async Task<JsonObject> WaitForEventAsync(string name, TimeSpan timeout, Func<JsonObject, bool>? match = null, int skip = 0)
    {
        var line = await WaitForLineAsync(l => Event(l) is { } e && (string?)e["event"] == name && (match?.Invoke(e) ?? true), timeout, skip);
        return Event(line)!;
    }

    /// <summary>The first output line that satisfies <paramref name="match"/> (after skipping <paramref name="skip"/> earlier matches).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, int skip = 0)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var found = _lines.Where(match).Skip(skip).FirstOrDefault();
            if (found is not null) return found;
            try
            {
                await _newLine.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching line within {timeout.TotalSeconds:0.#} s. Output so far:\n{string.Join('\n', _lines)}");
            }
        }
    }

    /// <summary>Asks the test host to stop (goodbyes included) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>Waits for a program that ends by itself; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM to the program (ip netns exec runs it in place, so the pid is the program's).</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static JsonObject? Event(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        _lines.Enqueue(line);
        _newLine.Release();
    }

    /// <summary>A project's build output: this assembly sits in tests/Signage.Discovery.Tests/bin/&lt;Configuration&gt;/&lt;tfm&gt;/ and the
    /// ProjectReference built the other one with the same configuration and framework.</summary>
    public static string BuiltDll(string folder, string project, string dll)
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!.Name;
        var path = Path.Combine(NativeAppliance.RepositoryRoot, folder, project, "bin", configuration, tfm.Name, dll);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{project} is not built at '{path}'.");
    }
}
