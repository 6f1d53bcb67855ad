using CommunityToolkit.Maui.Core.Primitives;
using CommunityToolkit.Maui.Views;
using QRCoder;
using Signage.Player.Core.Playback;

namespace Signage.Player.Maui;

/// <summary>IPlayerScreen on MAUI views: no decisions, only rendering and reporting back.</summary>
internal sealed class MauiScreen(PlayerPage page) : IPlayerScreen
{
    private TaskCompletionSource<ShowOutcome>? _videoEnded;

    public Task<ShowOutcome> ShowImageAsync(PlayItem item, CancellationToken cancellationToken) => OnUi(async () =>
    {
        // Load into the hidden view; swap only when it has loaded, so the screen is never blank.
        var loaded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLoading(object? s, System.ComponentModel.PropertyChangedEventArgs e)
        {
            if (e.PropertyName == nameof(Image.IsLoading) && !page.Back.IsLoading)
            {
                loaded.TrySetResult(true);
            }
        }

        page.Back.PropertyChanged += OnLoading;
        page.Back.Source = ImageSource.FromFile(item.FilePath);
        var ok = await loaded.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
        page.Back.PropertyChanged -= OnLoading;
        if (!ok)
        {
            return ShowOutcome.Failed("image did not load in 10 s");
        }

        page.Back.IsVisible = true;
        page.Front.IsVisible = false;
        page.Video.IsVisible = false;
        page.Video.Stop();
        page.Pairing.IsVisible = page.Error.IsVisible = false;
        page.SwapImages();
        return ShowOutcome.Ok;
    });

    public Task<ShowOutcome> StartVideoAsync(PlayItem item, CancellationToken cancellationToken) => OnUi(async () =>
    {
        var started = new TaskCompletionSource<ShowOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _videoEnded = new TaskCompletionSource<ShowOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = _videoEnded;
        void OnState(object? s, MediaStateChangedEventArgs e)
        {
            if (e.NewState == MediaElementState.Playing)
            {
                started.TrySetResult(ShowOutcome.Ok);
            }
        }

        void OnEnded(object? s, EventArgs e) => ended.TrySetResult(ShowOutcome.Ok);
        void OnFailed(object? s, MediaFailedEventArgs e)
        {
            started.TrySetResult(ShowOutcome.Failed(e.ErrorMessage));
            ended.TrySetResult(ShowOutcome.Failed(e.ErrorMessage));
        }

        page.Video.StateChanged += OnState;
        page.Video.MediaEnded += OnEnded;
        page.Video.MediaFailed += OnFailed;
        _ = ended.Task.ContinueWith(_ => MainThread.BeginInvokeOnMainThread(() =>
        {
            page.Video.StateChanged -= OnState;
            page.Video.MediaEnded -= OnEnded;
            page.Video.MediaFailed -= OnFailed;
        }), TaskScheduler.Default);

        page.Video.Source = MediaSource.FromFile(item.FilePath);
        page.Video.Play();
        var outcome = await started.Task.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
        if (outcome.Succeeded)
        {
            // The video's first frame covers the last still; hide the stills only now.
            page.Video.IsVisible = true;
            page.Front.IsVisible = page.Pairing.IsVisible = page.Error.IsVisible = false;
        }

        return outcome;
    });

    public Task<ShowOutcome> WaitForVideoEndAsync(CancellationToken cancellationToken) =>
        (_videoEnded?.Task ?? Task.FromResult(ShowOutcome.Failed("no video started"))).WaitAsync(cancellationToken);

    public Task ShowErrorScreenAsync(string reason, CancellationToken cancellationToken) => OnUi(() =>
    {
        page.Video.Stop();
        page.Video.IsVisible = page.Front.IsVisible = page.Back.IsVisible = page.Pairing.IsVisible = false;
        page.Error.IsVisible = true;
        return Task.FromResult(true);
    });

    public Task ShowPairingAsync(PairingScreen pairing, CancellationToken cancellationToken) => OnUi(() =>
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(pairing.QrPayload, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(10);
        page.PairingQr.Source = ImageSource.FromStream(() => new MemoryStream(png));
        page.PairingCode.Text = pairing.Code;
        page.Video.Stop();
        page.Video.IsVisible = page.Front.IsVisible = page.Back.IsVisible = page.Error.IsVisible = false;
        page.Pairing.IsVisible = true;
        return Task.FromResult(true);
    });

    private static Task<T> OnUi<T>(Func<Task<T>> action) => MainThread.InvokeOnMainThreadAsync(action);
}
