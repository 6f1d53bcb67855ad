using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.DataProtection;

namespace Signage.Appliance.Hosting;

/// <summary>
/// Start-up order (docs/PERFORMANCE.md, "Cold start", issue 9). The host constructs and starts every
/// hosted service before Kestrel binds — each with its dependencies and loggers — and their first
/// passes (the monitor's, retention's…) then ran on the thread pool while the server was still
/// starting and answering its first request, on a 2-core box. Work that no request needs is
/// constructed and started here instead, in
/// <see cref="IHostedLifecycleService.StartedAsync"/>: right after the server listens and before
/// ApplicationStarted, so systemd's READY=1 (sent on ApplicationStarted) still comes after everything
/// has started. Schema migrations, the device directory and the keys stay before listen
/// (Program.cs): no request is answered without them. The service is also only constructed then:
/// resolving a service and its dependencies (each <c>ILogger&lt;T&gt;</c> a generic type the native
/// runtime builds on first use) is part of the cost.
/// </summary>
public sealed class AfterListen<T>(IServiceProvider services) : IHostedLifecycleService where T : IHostedService
{
    private T? _service;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _service = services.GetRequiredService<T>();
        return _service.StartAsync(cancellationToken);
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops the service if it was started (a start-up that failed before listen never started it).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _service?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>ASP.NET Core data protection's key ring (antiforgery tokens of the admin forms), loaded after listen.</summary>
public sealed class DataProtectionWarmUp(IDataProtectionProvider provider) : IHostedService
{
    /// <summary>Protecting nothing reads (on a fresh data directory: creates and writes) the key ring,
    /// as data protection's own hosted service did before Kestrel started (see <see cref="AfterListenServices.DeferDataProtectionWarmUp"/>).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        provider.CreateProtector("Signage.KeyRingWarmUp").Protect([]);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class AfterListenServices
{
    /// <summary>Registers <typeparamref name="T"/> (a singleton) as a hosted service started right after Kestrel listens.</summary>
    public static IServiceCollection AddHostedServiceAfterListen<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(
        this IServiceCollection services) where T : class, IHostedService
    {
        services.AddSingleton<T>();
        return services.AddHostedService(provider => new AfterListen<T>(provider));
    }

    /// <summary>
    /// AddDataProtection() registers a hosted service that loads the key ring before Kestrel starts
    /// (XML parsing, OpenSSL loaded for its AES and HMAC). Nothing but an admin form needs it, so it is
    /// replaced by <see cref="DataProtectionWarmUp"/>, started after listen. Call after AddDataProtection().
    /// </summary>
    public static IServiceCollection DeferDataProtectionWarmUp(this IServiceCollection services)
    {
        var builtIn = services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService").ToList();
        if (builtIn.Count != 1) throw new InvalidOperationException("Data protection's hosted service was not found: its warm-up can no longer be moved after listen.");
        services.Remove(builtIn[0]);
        return services.AddHostedServiceAfterListen<DataProtectionWarmUp>();
    }
}
