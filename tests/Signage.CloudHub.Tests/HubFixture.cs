using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>One real hub process on its own fresh PostgreSQL database per test class. Tests create
/// their own tenants, so they never see each other's data.</summary>
public sealed class HubFixture : IAsyncLifetime
{
    public HubApi Hub { get; private set; } = null!;

    public async Task InitializeAsync() => Hub = await HubApi.StartAsync();

    public async Task DisposeAsync() => await Hub.DisposeAsync();
}

public abstract class HubTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    protected HubApi Hub => fixture.Hub;
}
