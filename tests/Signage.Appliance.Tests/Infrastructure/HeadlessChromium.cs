using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Signage.Appliance.Tests.Infrastructure;

/// <summary>
/// Debian's real Chromium, headless, driven over the DevTools protocol (a WebSocket; no Playwright):
/// enough to set the session cookie, open a page, read the DOM and take a screenshot.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";
    private readonly Process _process;
    private readonly ClientWebSocket _socket = new();
    private readonly TempDirectory _profile;
    private int _nextId;

    private HeadlessChromium(Process process, TempDirectory profile) => (_process, _profile) = (process, profile);

    public static async Task<HeadlessChromium> StartAsync()
    {
        var profile = new TempDirectory();
        var start = new ProcessStartInfo(Executable,
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--window-size=1280,900", "--remote-debugging-port=0", $"--user-data-dir={profile.Path}", "about:blank",
        ]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        var process = Process.Start(start)!;
        var browser = new HeadlessChromium(process, profile);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            const string marker = "DevTools listening on ";
            if (!line.StartsWith(marker, StringComparison.Ordinal)) continue;
            await browser._socket.ConnectAsync(new Uri(line[marker.Length..].Trim()), timeout.Token);
            _ = process.StandardError.ReadToEndAsync(); // keep the pipe drained
            return browser;
        }
        await browser.DisposeAsync();
        throw new InvalidOperationException("Chromium did not start its DevTools endpoint.");
    }

    public Task SetCookieAsync(Uri site, string name, string value) =>
        SendAsync("Storage.setCookies", new JsonObject { ["cookies"] = new JsonArray(new JsonObject { ["name"] = name, ["value"] = value, ["url"] = site.ToString() }) });

    /// <summary>Opens a page in a new tab and waits until it has loaded (and <paramref name="settle"/> more).</summary>
    public async Task<Tab> OpenAsync(Uri url, TimeSpan? settle = null)
    {
        var target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = url.ToString() });
        var attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true });
        var tab = new Tab(this, attached["sessionId"]!.GetValue<string>());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        // A new tab is about:blank (and "complete") for a moment before it starts loading the page.
        while (await tab.EvaluateAsync("document.readyState === 'complete' && location.href !== 'about:blank'") != "true")
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{url} did not finish loading.");
            await Task.Delay(100);
        }
        await Task.Delay(settle ?? TimeSpan.FromMilliseconds(300));
        return tab;
    }

    public sealed class Tab(HeadlessChromium browser, string sessionId)
    {
        /// <summary>Evaluates a JavaScript expression in the page; its value as a string.</summary>
        public async Task<string?> EvaluateAsync(string expression)
        {
            var result = await browser.SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = $"String({expression})", ["returnByValue"] = true }, sessionId);
            return result["result"]?["value"]?.GetValue<string>();
        }

        /// <summary>Emulates a smaller screen (a phone), as its width in CSS pixels.</summary>
        public Task ResizeAsync(int width, int height) => browser.SendAsync("Emulation.setDeviceMetricsOverride",
            new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = true }, sessionId);

        /// <summary>Runs a script that leaves the page (submits a form, follows a link) and waits until the next page has loaded.</summary>
        public async Task NavigateByAsync(string script, TimeSpan? settle = null)
        {
            await EvaluateAsync("window.__signageOldPage = true");
            await EvaluateAsync(script);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (true)
            {
                try
                {
                    if (await EvaluateAsync("window.__signageOldPage === undefined && document.readyState === 'complete'") == "true") break;
                }
                catch (InvalidOperationException)
                {
                    // The old page's context went away mid-call: the new page is on its way.
                }
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"'{script}' did not lead to a new page.");
                await Task.Delay(100);
            }
            await Task.Delay(settle ?? TimeSpan.FromMilliseconds(200));
        }

        public Task GoAsync(Uri url) => NavigateByAsync($"location.href = {System.Text.Json.JsonSerializer.Serialize(url.ToString())}");

        /// <summary>Waits until a JavaScript condition holds (e.g. uploads finished), or fails with what it last was.</summary>
        public async Task WaitForAsync(string condition, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (await EvaluateAsync(condition) != "true")
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"'{condition}' did not become true; the page says: {await EvaluateAsync("document.body.innerText")}");
                await Task.Delay(200);
            }
        }

        /// <summary>Puts files into an &lt;input type=file&gt;, as a person choosing them would (the change event fires).</summary>
        public async Task SetFilesAsync(string selector, params string[] paths)
        {
            var document = await browser.SendAsync("DOM.getDocument", new JsonObject(), sessionId);
            var node = await browser.SendAsync("DOM.querySelector",
                new JsonObject { ["nodeId"] = document["root"]!["nodeId"]!.GetValue<int>(), ["selector"] = selector }, sessionId);
            await browser.SendAsync("DOM.setFileInputFiles",
                new JsonObject { ["files"] = new JsonArray([.. paths.Select(p => (JsonNode)p)]), ["nodeId"] = node["nodeId"]!.GetValue<int>() }, sessionId);
        }

        public async Task ScreenshotAsync(string path)
        {
            var result = await browser.SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }, sessionId);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, Convert.FromBase64String(result["data"]!.GetValue<string>()));
        }
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters, string? sessionId = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (sessionId is not null) message["sessionId"] = sessionId;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var received = new MemoryStream();
            WebSocketReceiveResult part;
            do
            {
                part = await _socket.ReceiveAsync(buffer, timeout.Token);
                received.Write(buffer, 0, part.Count);
            } while (!part.EndOfMessage);
            var reply = JsonNode.Parse(received.ToArray())!;
            if (reply["id"]?.GetValue<int>() != id) continue; // an event, or another call's answer
            if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return reply["result"]!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _profile.Dispose();
    }
}
