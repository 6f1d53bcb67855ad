using System.Diagnostics;

namespace Signage.Discovery.Tests.Infrastructure;

/// <summary>
/// Two fresh network namespaces, "a" and "b", joined by a veth pair: a private two-host LAN where
/// real multicast flows without touching the machine's own network.
/// <code>
///   ip netns add sgd&lt;n&gt;a ; ip netns add sgd&lt;n&gt;b
///   ip link add sgd&lt;n&gt;a type veth peer name sgd&lt;n&gt;b      (then each end moved into its namespace)
///   a: 10.77.&lt;k&gt;.1/24 on the veth, b: 10.77.&lt;k&gt;.2/24; both ends and lo up, multicast on,
///   route 224.0.0.0/4 via the veth
/// </code>
/// With <c>ipv6: true</c> each end also gets a unique-local address, fd77:&lt;k&gt;::1/64 and ::2/64, and
/// duplicate address detection is off on the veth (accept_dad=0, nodad), so its IPv6 addresses,
/// link-local included, are usable at once rather than "tentative" for the first seconds. With
/// <c>ipv4: false</c> the veth has no IPv4 address at all: whatever crosses it is IPv6.

/// Dispose deletes both namespaces, which also removes the veth pair and kills nothing else
/// (the tests stop their own processes first); namespaces left by a killed run (named after a
/// process id that no longer exists) are deleted by the next run. Needs root and iproute2: without them the
/// constructor throws with a message that says so — these tests fail rather than pass silently.
/// </summary>
public sealed class NetworkNamespaces : IDisposable
{
    private static int _counter;

    public NetworkNamespaces(bool ipv4 = true, bool ipv6 = false)
    {
        RequireRootAndIp();
        RemoveLeftovers();
        // sgd<pid>x<n>a: at most 15 characters, so it also names the veth end.
        var n = $"{Environment.ProcessId}x{Interlocked.Increment(ref _counter)}";
        A = $"sgd{n}a";
        B = $"sgd{n}b";
        Subnet = $"10.77.{(Environment.ProcessId + _counter) % 250}";
        try
        {
            Ip("netns", "add", A);
            Ip("netns", "add", B);
            Ip("link", "add", A, "type", "veth", "peer", "name", B);
            Ip("link", "set", A, "netns", A);
            Ip("link", "set", B, "netns", B);
            foreach (var (ns, address, address6) in new[] { (A, AddressA, AddressV6A), (B, AddressB, AddressV6B) })
            {
                Ip("-n", ns, "link", "set", "lo", "up");
                if (ipv4) Ip("-n", ns, "addr", "add", $"{address}/24", "dev", ns);
                if (ipv6)
                {
                    Ip("netns", "exec", ns, "sh", "-c", $"echo 0 > /proc/sys/net/ipv6/conf/{ns}/disable_ipv6 && echo 0 > /proc/sys/net/ipv6/conf/{ns}/accept_dad");
                    Ip("-n", ns, "-6", "addr", "add", $"{address6}/64", "dev", ns, "nodad");
                }
                Ip("-n", ns, "link", "set", ns, "up", "multicast", "on");
                if (ipv4) Ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", ns);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Namespace "a"; its veth end has the same name.</summary>
    public string A { get; }

    public string B { get; }

    public string Subnet { get; }

    public string AddressA => Subnet + ".1";

    public string AddressB => Subnet + ".2";

    /// <summary>Namespace a's unique-local IPv6 address (only assigned with <c>ipv6: true</c>).</summary>
    public string AddressV6A => $"fd77:{Subnet.Split('.')[^1]}::1";

    public string AddressV6B => $"fd77:{Subnet.Split('.')[^1]}::2";

    /// <summary>Moves namespace a's veth to another address (the old one removed first).</summary>
    public void ChangeAddressOfA(string newAddress)
    {
        Ip("-n", A, "addr", "del", $"{AddressA}/24", "dev", A);
        Ip("-n", A, "addr", "add", $"{newAddress}/24", "dev", A);
    }

    public void Dispose()
    {
        foreach (var ns in new[] { A, B })
        {
            if (ns is null) continue;
            try
            {
                Ip("netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
                // Not created (a failed set-up); nothing to remove.
            }
        }
    }

    /// <summary>Namespaces of test runs that were killed before their clean-up (their process is gone).</summary>
    private static void RemoveLeftovers()
    {
        foreach (var line in Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, @"^(sgd(\d+)x\d+[ab])\b");
            if (!match.Success || Directory.Exists($"/proc/{match.Groups[2].Value}")) continue;
            try
            {
                Ip("netns", "del", match.Groups[1].Value);
            }
            catch (InvalidOperationException)
            {
                // Removed by a parallel run meanwhile.
            }
        }
    }

    private static void RequireRootAndIp()
    {
        if (!OperatingSystem.IsLinux())
            throw new InvalidOperationException("The multicast discovery tests need Linux network namespaces.");
        if (Environment.UserName != "root" && Run("id", "-u").Trim() != "0")
            throw new InvalidOperationException("The multicast discovery tests must run as root (they create network namespaces with `ip netns`). Run ./test.sh as root, as CI does.");
        try
        {
            Run("ip", "-V");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new InvalidOperationException("The multicast discovery tests need the `ip` command (apt-get install iproute2; ./test.sh installs it).", e);
        }
    }

    public static void Ip(params string[] arguments) => Run("ip", arguments);

    private static string Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Result
            : throw new InvalidOperationException($"`{file} {string.Join(' ', arguments)}` failed ({process.ExitCode}): {error.Trim()}");
    }
}
