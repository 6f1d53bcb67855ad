using Signage.Player.Core.State;

namespace Signage.Player.Core.Tests;

public sealed class StateMachineTests
{
    [Theory]
    [InlineData(PlayerState.Boot, PlayerTrigger.InitComplete, PlayerState.LoadLocal)]
    [InlineData(PlayerState.LoadLocal, PlayerTrigger.Loaded, PlayerState.PlayableCheck)]
    [InlineData(PlayerState.LoadLocal, PlayerTrigger.NoDeviceToken, PlayerState.Unregistered)]
    [InlineData(PlayerState.PlayableCheck, PlayerTrigger.PlayableFound, PlayerState.Playing)]
    [InlineData(PlayerState.PlayableCheck, PlayerTrigger.NonePlayable, PlayerState.ErrorScreen)]
    [InlineData(PlayerState.ErrorScreen, PlayerTrigger.ContentRestored, PlayerState.Playing)]
    [InlineData(PlayerState.Playing, PlayerTrigger.PlaybackImpossible, PlayerState.PlayableCheck)]
    [InlineData(PlayerState.Unregistered, PlayerTrigger.Paired, PlayerState.PlayableCheck)]
    public void Follows_the_spec_transition_table(PlayerState from, PlayerTrigger trigger, PlayerState to) =>
        Assert.Equal(to, PlayerStateMachine.Target(from, trigger));

    [Theory]
    [InlineData(PlayerState.Boot)]
    [InlineData(PlayerState.LoadLocal)]
    [InlineData(PlayerState.PlayableCheck)]
    [InlineData(PlayerState.Playing)]
    [InlineData(PlayerState.ErrorScreen)]
    public void An_invalid_token_leads_to_unregistered_from_any_state(PlayerState from) =>
        Assert.Equal(PlayerState.Unregistered, PlayerStateMachine.Target(from, PlayerTrigger.TokenInvalid));

    [Fact]
    public void An_unexpected_trigger_is_refused_without_changing_state()
    {
        var machine = new PlayerStateMachine();
        Assert.False(machine.Fire(PlayerTrigger.ContentRestored));
        Assert.Equal(PlayerState.Boot, machine.State);
    }

    [Fact]
    public void Reports_each_transition_once_with_its_trigger()
    {
        var machine = new PlayerStateMachine();
        var seen = new List<string>();
        machine.Transitioned += (from, to, trigger) => seen.Add($"{PlayerStateNames.Wire(from)}>{PlayerStateNames.Wire(to)}:{trigger}");
        machine.Fire(PlayerTrigger.InitComplete);
        machine.Fire(PlayerTrigger.Loaded);
        machine.Fire(PlayerTrigger.NonePlayable);
        machine.Fire(PlayerTrigger.NonePlayable);
        Assert.Equal(["BOOT>LOAD_LOCAL:InitComplete", "LOAD_LOCAL>PLAYABLE_CHECK:Loaded", "PLAYABLE_CHECK>ERROR_SCREEN:NonePlayable"], seen);
    }

    [Fact]
    public void Background_activities_are_flags_beside_the_state()
    {
        var machine = new PlayerStateMachine();
        machine.Begin(PlayerActivity.SyncManifest);
        machine.Begin(PlayerActivity.OfflineBackoff);
        machine.End(PlayerActivity.SyncManifest);
        Assert.Equal(["OFFLINE_BACKOFF"], PlayerStateNames.Wire(machine.Activities));
        Assert.Equal(PlayerState.Boot, machine.State);
    }

    [Theory]
    [InlineData(PlayerState.Playing, "PLAYING")]
    [InlineData(PlayerState.ErrorScreen, "ERROR_SCREEN")]
    [InlineData(PlayerState.Unregistered, "PAIRING")]
    [InlineData(PlayerState.LoadLocal, "BOOTING")]
    public void Heartbeat_state_uses_the_spec_names(PlayerState state, string wire) => Assert.Equal(wire, PlayerStateNames.Heartbeat(state));
}
