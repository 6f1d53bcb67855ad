using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Signage.Appliance.Hosting;

namespace Signage.Appliance.Tests;

/// <summary>
/// The start-up order Program.cs relies on (Hosting/AfterListen.cs), with the real generic host: a
/// service added with AddHostedServiceAfterListen is constructed and started only after every
/// ordinary hosted service — Kestrel's among them, registered last by WebApplication — has started,
/// and before ApplicationStarted (systemd's READY=1).
/// </summary>
public sealed class AfterListenTests
{
    private sealed class Journal
    {
        public List<string> Lines { get; } = [];

        public TaskCompletionSource Running { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(string line)
        {
            lock (Lines) Lines.Add(line);
        }
    }

    /// <summary>Stands in for Kestrel: an ordinary hosted service registered after the deferred one.</summary>
    private sealed class FakeServer(Journal journal) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            journal.Add("server listening");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class BackgroundPass : BackgroundService
    {
        private readonly Journal _journal;

        public BackgroundPass(Journal journal)
        {
            _journal = journal;
            journal.Add("pass constructed");
        }

        protected override Task ExecuteAsync(CancellationToken stoppingToken)
        {
            // .NET 10 runs ExecuteAsync on the thread pool, concurrently with the rest of start-up.
            _journal.Add("pass running");
            _journal.Running.TrySetResult();
            return Task.Delay(Timeout.Infinite, stoppingToken);
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken);
            _journal.Add("pass stopped");
        }
    }

    [Fact]
    public async Task A_deferred_service_is_built_and_run_after_the_server_listens_and_before_application_started()
    {
        var journal = new Journal();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(journal);
        builder.Services.AddHostedServiceAfterListen<BackgroundPass>();
        builder.Services.AddHostedService<FakeServer>();
        using var host = builder.Build();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => journal.Add("application started"));

        await host.StartAsync();
        await journal.Running.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await host.StopAsync();

        // Its pass runs concurrently with what follows its start, so only its position relative to "pass constructed" is fixed.
        Assert.Equal(["server listening", "pass constructed", "application started", "pass stopped"], journal.Lines.Where(l => l != "pass running"));
        Assert.True(journal.Lines.IndexOf("pass running") is var running && running > 1 && running < journal.Lines.Count - 1, string.Join(", ", journal.Lines));
    }

    [Fact]
    public async Task A_start_that_fails_before_listen_never_builds_or_stops_the_deferred_service()
    {
        var journal = new Journal();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(journal);
        builder.Services.AddHostedServiceAfterListen<BackgroundPass>();
        builder.Services.AddHostedService<FailingServer>();
        using var host = builder.Build();

        await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        await host.StopAsync();

        Assert.Empty(journal.Lines);
    }

    private sealed class FailingServer : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("address in use");

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
