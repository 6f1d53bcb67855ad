using CommunityToolkit.Maui.Views;

namespace Signage.Player.Maui;

/// <summary>The only page. One MediaElement made once and reused (creating players leaks decoders on
/// Fire TV); two Images so a still is swapped in only after it has loaded; a pairing and an error layer.</summary>
public sealed class PlayerPage : ContentPage
{
    public PlayerPage()
    {
        BackgroundColor = Colors.Black;
        NavigationPage.SetHasNavigationBar(this, false);
        Video = new MediaElement { ShouldShowPlaybackControls = false, Aspect = Aspect.AspectFit, IsVisible = false };
        Front = new Image { Aspect = Aspect.AspectFit };
        Back = new Image { Aspect = Aspect.AspectFit, IsVisible = false };
        PairingCode = new Label { FontSize = 96, TextColor = Colors.White, HorizontalOptions = LayoutOptions.Center };
        PairingQr = new Image { WidthRequest = 360, HeightRequest = 360 };
        Pairing = new VerticalStackLayout
        {
            IsVisible = false, Spacing = 32, VerticalOptions = LayoutOptions.Center,
            Children = { new Label { Text = "Pair this screen", FontSize = 48, TextColor = Colors.White, HorizontalOptions = LayoutOptions.Center }, PairingCode, PairingQr },
        };
        Error = new Label { Text = "Waiting for content…", FontSize = 36, TextColor = Colors.Gray, IsVisible = false,
            HorizontalOptions = LayoutOptions.Center, VerticalOptions = LayoutOptions.Center };
        Content = new Grid { Children = { Video, Back, Front, Pairing, Error } };
    }

    public MediaElement Video { get; }

    public Image Front { get; private set; }

    public Image Back { get; private set; }

    public VerticalStackLayout Pairing { get; }

    public Label PairingCode { get; }

    public Image PairingQr { get; }

    public Label Error { get; }

    public void SwapImages() => (Front, Back) = (Back, Front);
}
