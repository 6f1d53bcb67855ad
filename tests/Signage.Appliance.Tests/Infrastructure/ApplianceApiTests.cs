namespace Signage.Appliance.Tests.Infrastructure;

/// <summary>Base of the API test classes: a fresh data directory and a started, signed-in appliance per test.</summary>
public abstract class ApplianceApiTests : IAsyncLifetime
{
    protected TempDirectory Temp { get; } = new();

    protected ApplianceApi Api { get; private set; } = null!;

    /// <summary>Extra environment for the appliance process.</summary>
    protected virtual IDictionary<string, string>? Environment => null;

    public async Task InitializeAsync() => Api = await ApplianceApi.StartAsync(Temp.Combine("data"), Environment);

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        Temp.Dispose();
    }
}
