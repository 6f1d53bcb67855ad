using System.Net;
using Signage.Contracts;
using Signage.Player.Core.Auth;

namespace Signage.Player.Core.Tests;

public sealed class PairingAndAuthTests
{
    [Fact]
    public async Task Pairing_shows_the_code_polls_with_the_secret_and_stores_the_token_owner_only()
    {
        using var h = new CoreHarness(paired: false);
        var shown = new List<string>();
        var flow = new PairingFlow(h.Api, h.Credentials, h.Options, h.Clock, h.NewBackoff(), h.Logger);
        var run = flow.RunAsync(p =>
        {
            shown.Add(p.Code);
            return Task.CompletedTask;
        }, CancellationToken.None);

        await h.Clock.UntilAsync(() => h.Appliance.Requests.Count(r => r.RequestUri!.AbsolutePath.EndsWith("/status", StringComparison.Ordinal)) >= 2);
        Assert.False(run.IsCompleted);
        h.Appliance.PairingStatus = PlayerProtocol.PairingStatus.Completed;
        await h.Clock.UntilAsync(() => run.IsCompleted);
        await run;

        Assert.Equal(["CODE1"], shown);
        Assert.Equal(h.Appliance.ValidToken, h.Credentials.Token);
        Assert.Equal(h.Appliance.ValidToken, new DeviceTokenStore(h.Paths).Load()!.DeviceToken);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(h.Paths.DeviceToken));
        }
        Assert.All(h.Appliance.Requests.Where(r => r.RequestUri!.AbsolutePath.EndsWith("/status", StringComparison.Ordinal)),
            r => Assert.Equal("pair-1", r.RequestUri!.Query.Split('=')[1]));
    }

    [Fact]
    public async Task An_expired_pairing_starts_a_new_one_with_a_new_code()
    {
        using var h = new CoreHarness(paired: false);
        h.Appliance.PairingStatus = PlayerProtocol.PairingStatus.Expired;
        var shown = new List<string>();
        var flow = new PairingFlow(h.Api, h.Credentials, h.Options, h.Clock, h.NewBackoff(), h.Logger);
        using var stop = new CancellationTokenSource();
        var run = flow.RunAsync(p =>
        {
            shown.Add(p.Code);
            return Task.CompletedTask;
        }, stop.Token);

        await h.Clock.UntilAsync(() => shown.Count >= 2);
        Assert.Equal(["CODE1", "CODE2"], shown.Take(2));
        h.Appliance.PairingStatus = PlayerProtocol.PairingStatus.Completed;
        await h.Clock.UntilAsync(() => run.IsCompleted);
        Assert.True(h.Credentials.HasToken);
    }

    [Fact]
    public async Task Three_401s_in_a_row_clear_the_token_and_its_file()
    {
        using var h = new CoreHarness();
        var invalidated = 0;
        h.Credentials.Invalidated += _ => invalidated++;
        h.Appliance.ValidToken = "rotated-away";

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(Api.ApiOutcome.Unauthorized, (await h.Api.GetCommandsAsync(CancellationToken.None)).Outcome);
            Assert.True(h.Credentials.HasToken);
        }

        await h.Api.GetManifestAsync(null, null, CancellationToken.None);
        Assert.False(h.Credentials.HasToken);
        Assert.False(File.Exists(h.Paths.DeviceToken));
        Assert.Equal(1, invalidated);
    }

    [Fact]
    public async Task A_success_between_401s_resets_the_count()
    {
        using var h = new CoreHarness();
        var failNext = 2;
        h.Appliance.Intercept = _ => failNext-- > 0 ? new HttpResponseMessage(HttpStatusCode.Unauthorized) : null;
        await h.Api.GetCommandsAsync(CancellationToken.None);
        await h.Api.GetCommandsAsync(CancellationToken.None);
        await h.Api.GetCommandsAsync(CancellationToken.None);
        failNext = 2;
        await h.Api.GetCommandsAsync(CancellationToken.None);
        await h.Api.GetCommandsAsync(CancellationToken.None);
        Assert.True(h.Credentials.HasToken);
        Assert.Equal(2, h.Credentials.UnauthorizedInARow);
    }

    [Fact]
    public async Task Player_endpoints_carry_the_bearer_token()
    {
        using var h = new CoreHarness();
        await h.Api.GetCommandsAsync(CancellationToken.None);
        var request = Assert.Single(h.Appliance.Requests);
        Assert.Equal("Bearer", request.Headers.Authorization!.Scheme);
        Assert.Equal(h.Appliance.ValidToken, request.Headers.Authorization.Parameter);
    }

    [Fact]
    public void A_torn_token_file_counts_as_no_token()
    {
        using var h = new CoreHarness(paired: false);
        File.WriteAllText(h.Paths.DeviceToken, "{\"deviceTok");
        Assert.Null(h.TokenStore.Load());
    }
}
