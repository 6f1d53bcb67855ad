using Signage.Player.Core.Playback;
using Signage.Player.Core.Storage;

namespace Signage.Player.Headless;

/// <summary>A screen without pixels: each item "shown" is a line in frames.jsonl, a video lasts its
/// length on the clock, the pairing code goes to standard output.</summary>
internal sealed class HeadlessScreen(FrameLog frames, TimeProvider clock, TextWriter output) : IPlayerScreen
{
    private Task _videoEnd = Task.CompletedTask;

    public Task<ShowOutcome> ShowImageAsync(PlayItem item, CancellationToken cancellationToken)
    {
        if (!CanRead(item.FilePath, out var error))
        {
            return Task.FromResult(ShowOutcome.Failed(error));
        }

        frames.Append(new Frame(Now(), "IMAGE", item.AssetId, item.PlaylistId, item.ItemIndex, item.DurationMs));
        return Task.FromResult(ShowOutcome.Ok);
    }

    public Task<ShowOutcome> StartVideoAsync(PlayItem item, CancellationToken cancellationToken)
    {
        if (!CanRead(item.FilePath, out var error))
        {
            return Task.FromResult(ShowOutcome.Failed(error));
        }

        var length = VideoLength.Milliseconds(item.FilePath, item.DurationMs);
        _videoEnd = Task.Delay(TimeSpan.FromMilliseconds(length), clock, cancellationToken);
        frames.Append(new Frame(Now(), "VIDEO", item.AssetId, item.PlaylistId, item.ItemIndex, length));
        return Task.FromResult(ShowOutcome.Ok);
    }

    public async Task<ShowOutcome> WaitForVideoEndAsync(CancellationToken cancellationToken)
    {
        await _videoEnd.WaitAsync(cancellationToken).ConfigureAwait(false);
        return ShowOutcome.Ok;
    }

    public Task ShowErrorScreenAsync(string reason, CancellationToken cancellationToken)
    {
        frames.Append(new Frame(Now(), "ERROR_SCREEN", Detail: reason));
        return Task.CompletedTask;
    }

    public Task ShowPairingAsync(PairingScreen pairing, CancellationToken cancellationToken)
    {
        frames.Append(new Frame(Now(), "PAIRING", Detail: pairing.Code));
        // The one line on standard output (logs go to standard error), so a script can read the code.
        output.WriteLine($"PAIRING CODE {pairing.Code} (expires {UtcText.Format(pairing.ExpiresAtUtc)}) {pairing.QrPayload}");
        output.Flush();
        return Task.CompletedTask;
    }

    private string Now() => UtcText.Format(clock.GetUtcNow());

    /// <summary>What a real renderer would notice first: the file cannot be opened.</summary>
    private static bool CanRead(string path, out string error)
    {
        try
        {
            using var file = File.OpenRead(path);
            error = "";
            return file.ReadByte() >= 0 || file.Length == 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            return false;
        }
    }
}
