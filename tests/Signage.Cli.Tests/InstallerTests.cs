using System.Diagnostics;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Cli.Tests;

/// <summary>
/// installer/linux/install.sh into a throwaway root (no systemd running here): files, the unit
/// (checked by systemd-analyze), the installed binary answering /healthz, upgrade rollback,
/// uninstall; and the PowerShell scripts parse.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class InstallerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Root => _temp.Combine("root");

    public void Dispose() => _temp.Dispose();

    private string Release(string name, string? applianceBinary = null)
    {
        var folder = _temp.Combine(name);
        Directory.CreateDirectory(folder);
        File.Copy(applianceBinary ?? NativeAppliance.Path, Path.Combine(folder, "signage-appliance"));
        File.Copy(NativeCli.Path, Path.Combine(folder, "signage"));
        return folder;
    }

    private static Task<(int ExitCode, string Output)> InstallAsync(params string[] arguments) =>
        RunAsync(Path.Combine(NativeAppliance.RepositoryRoot, "installer", "linux", "install.sh"), arguments);

    [Fact]
    public async Task Install_into_a_root_lays_out_binaries_data_and_a_unit_that_systemd_accepts()
    {
        var (exitCode, output) = await InstallAsync("--root", Root, "--from", Release("release"), "--no-systemctl");

        Assert.True(exitCode == 0, output);
        Assert.Contains("it answers /healthz", output);
        var appliance = Path.Combine(Root, "opt/signage/bin/signage-appliance");
        Assert.Equal(await File.ReadAllBytesAsync(NativeAppliance.Path), await File.ReadAllBytesAsync(appliance));
        Assert.True(File.Exists(Path.Combine(Root, "opt/signage/bin/signage")));
        Assert.Equal("/opt/signage/bin/signage", new FileInfo(Path.Combine(Root, "usr/local/bin/signage")).LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(Root, "var/lib/signage")));

        var unit = await File.ReadAllTextAsync(Path.Combine(Root, "etc/systemd/system/signage.service"));
        foreach (var line in new[] { "Type=notify", "WatchdogSec=30", "Restart=always", "RestartPreventExitStatus=78", "NoNewPrivileges=yes", "ProtectSystem=strict",
                     "ReadWritePaths=/var/lib/signage", "User=signage", "EnvironmentFile=-/var/lib/signage/appliance.env",
                     "ExecStart=/opt/signage/bin/signage-appliance --data-dir /var/lib/signage" })
            Assert.Contains(line + "\n", unit);

        // systemd-analyze verify checks the unit's syntax and that ExecStart is executable: point the
        // unit's absolute paths into the throwaway root for that.
        var verifiable = _temp.Combine("signage.service");
        await File.WriteAllTextAsync(verifiable, unit.Replace("/opt/signage", Path.Combine(Root, "opt/signage")).Replace("/var/lib/signage", Path.Combine(Root, "var/lib/signage")));
        var verify = await RunAsync("systemd-analyze", ["verify", verifiable]);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.DoesNotMatch(UnitWarning(), verify.Output);
    }

    [Fact]
    public async Task The_installed_binary_starts_on_the_installed_data_directory_and_answers_healthz()
    {
        Assert.Equal(0, (await InstallAsync("--root", Root, "--from", Release("release"), "--no-systemctl")).ExitCode);

        using var process = Process.Start(new ProcessStartInfo(Path.Combine(Root, "opt/signage/bin/signage-appliance"),
            ["--urls", "http://127.0.0.1:0", "--data-dir", Path.Combine(Root, "var/lib/signage")]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            string? line;
            Uri? address = null;
            while (address is null && (line = await process.StandardOutput.ReadLineAsync()) is not null)
                if (Listening().Match(line) is { Success: true } match) address = new Uri(match.Groups[1].Value);
            Assert.NotNull(address);
            using var client = new HttpClient { BaseAddress = address };
            var health = await client.GetAsync("/healthz");
            Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
            Assert.True(File.Exists(Path.Combine(Root, "var/lib/signage/appliance.db")));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task An_upgrade_whose_binary_fails_its_health_check_is_rolled_back()
    {
        Assert.Equal(0, (await InstallAsync("--root", Root, "--from", Release("good"), "--no-systemctl")).ExitCode);
        var broken = _temp.Combine("broken-appliance");
        await File.WriteAllTextAsync(broken, "#!/bin/sh\necho 'cannot start' >&2\nexit 1\n");
        File.SetUnixFileMode(broken, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (exitCode, output) = await InstallAsync("--root", Root, "--from", Release("bad", broken), "--no-systemctl", "--health-timeout", "3");

        Assert.Equal(1, exitCode);
        Assert.Contains("rolling back", output);
        Assert.Contains("rolled back to the previous appliance, which is running again", output);
        Assert.Equal(await File.ReadAllBytesAsync(NativeAppliance.Path), await File.ReadAllBytesAsync(Path.Combine(Root, "opt/signage/bin/signage-appliance")));
    }

    [Fact]
    public async Task A_good_upgrade_keeps_the_previous_binary()
    {
        Assert.Equal(0, (await InstallAsync("--root", Root, "--from", Release("first"), "--no-systemctl")).ExitCode);
        var installed = Path.Combine(Root, "opt/signage/bin/signage-appliance");
        await File.AppendAllTextAsync(installed, "\n"); // an older build: different bytes, still runs

        var (exitCode, output) = await InstallAsync("--root", Root, "--from", Release("second"), "--no-systemctl");

        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(installed + ".previous"));
        Assert.Equal(await File.ReadAllBytesAsync(NativeAppliance.Path), await File.ReadAllBytesAsync(installed));
    }

    [Fact]
    public async Task Uninstall_keeps_the_data_unless_purged()
    {
        Assert.Equal(0, (await InstallAsync("--root", Root, "--from", Release("release"), "--no-systemctl")).ExitCode);
        await File.WriteAllTextAsync(Path.Combine(Root, "var/lib/signage/appliance.db"), "precious");
        var uninstall = Path.Combine(NativeAppliance.RepositoryRoot, "installer", "linux", "uninstall.sh");

        Assert.Equal(0, (await RunAsync(uninstall, ["--root", Root, "--no-systemctl"])).ExitCode);
        Assert.False(Directory.Exists(Path.Combine(Root, "opt/signage")));
        Assert.False(File.Exists(Path.Combine(Root, "etc/systemd/system/signage.service")));
        Assert.Equal("precious", await File.ReadAllTextAsync(Path.Combine(Root, "var/lib/signage/appliance.db")));

        Assert.Equal(0, (await RunAsync(uninstall, ["--root", Root, "--no-systemctl", "--purge"])).ExitCode);
        Assert.False(Directory.Exists(Path.Combine(Root, "var/lib/signage")));
    }

    [Fact]
    public async Task Install_refuses_unknown_options_and_a_missing_release()
    {
        Assert.Equal(1, (await InstallAsync("--root", Root, "--frobnicate")).ExitCode);
        var (exitCode, output) = await InstallAsync("--root", Root, "--from", _temp.Combine("nothing-here"), "--no-systemctl");
        Assert.Equal(1, exitCode);
        Assert.Contains("signage-appliance not found", output);
    }

    [Theory]
    [InlineData("publish.ps1")]
    [InlineData("installer/windows/install-service.ps1")]
    public void PowerShell_scripts_parse_without_errors(string script)
    {
        Parser.ParseFile(Path.Combine(NativeAppliance.RepositoryRoot, script), out _, out var errors);

        Assert.Empty(errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}"));
    }

    [Fact]
    public void Publish_ps1_and_publish_sh_build_the_same_projects()
    {
        var ps1 = File.ReadAllText(Path.Combine(NativeAppliance.RepositoryRoot, "publish.ps1"));
        var sh = File.ReadAllText(Path.Combine(NativeAppliance.RepositoryRoot, "publish.sh"));
        foreach (var project in new[] { "appliance/Signage.Appliance", "cli/Signage.Cli", "cloud-hub/Signage.CloudHub", "SHA256SUMS" })
        {
            Assert.Contains(project, ps1);
            Assert.Contains(project, sh);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }

    [GeneratedRegex(@"listening on (http://\S+);")]
    private static partial Regex Listening();

    [GeneratedRegex(@"signage\.service:\d+: ")]
    private static partial Regex UnitWarning();
}
