using NodaTime;
using NodaTime.Testing;
using Signage.Appliance.Auth;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Appliance.Tests;

/// <summary>Time-dependent auth logic, driven by a fake clock.</summary>
public sealed class AuthUnitTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 11, 23, 12, 0));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Access_token_is_valid_until_it_expires_after_fifteen_minutes()
    {
        var tokens = new AccessTokens(SigningKey.LoadOrCreate(_temp.Path), _clock);
        var token = tokens.Issue("usr_1", "ten_1");
        Assert.Equal(("usr_1", "ten_1"), tokens.Validate(token));

        _clock.Advance(Duration.FromMinutes(15) - Duration.FromSeconds(1));
        Assert.NotNull(tokens.Validate(token));
        _clock.Advance(Duration.FromSeconds(1));
        Assert.Null(tokens.Validate(token));
    }

    [Fact]
    public void Token_signed_by_another_appliance_is_rejected()
    {
        var mine = new AccessTokens(SigningKey.LoadOrCreate(_temp.Combine("a")), _clock);
        var theirs = new AccessTokens(SigningKey.LoadOrCreate(_temp.Combine("b")), _clock);
        Assert.Null(mine.Validate(theirs.Issue("usr_1", "ten_1")));
    }

    [Fact]
    public void Signing_key_is_created_once_and_reused()
    {
        var first = SigningKey.LoadOrCreate(_temp.Path);
        var second = SigningKey.LoadOrCreate(_temp.Path);
        Assert.Equal(32, first.Bytes.Length);
        Assert.Equal(first.Bytes, second.Bytes);
    }

    [Fact]
    public void Rate_limit_window_refuses_over_the_limit_and_resets_after_the_window()
    {
        var limiter = new RateLimiter(_clock);
        var limit = new RateLimit("test", 2, Duration.FromMinutes(1));
        Assert.True(limiter.Take(limit, "ip-1").Allowed);
        Assert.True(limiter.Take(limit, "ip-1").Allowed);
        var refused = limiter.Take(limit, "ip-1");
        Assert.Equal((false, 0, _clock.GetCurrentInstant() + Duration.FromMinutes(1)), (refused.Allowed, refused.Remaining, refused.ResetAt));
        Assert.True(limiter.Take(limit, "ip-2").Allowed); // subjects are counted apart

        _clock.Advance(Duration.FromMinutes(1));
        Assert.True(limiter.Take(limit, "ip-1").Allowed);
    }

    [Fact]
    public void Only_the_first_refusal_of_a_window_is_flagged_for_the_log_so_a_429_always_leaves_one_line()
    {
        var limiter = new RateLimiter(_clock);
        var limit = new RateLimit("test", 1, Duration.FromMinutes(1));
        Assert.False(limiter.Take(limit, "dev-1").FirstRefusal);
        Assert.Equal((false, true), (limiter.Take(limit, "dev-1").Allowed, limiter.Take(limit, "dev-2").Allowed));
        var second = limiter.Take(limit, "dev-2");
        Assert.True(second.FirstRefusal);
        Assert.False(limiter.Take(limit, "dev-2").FirstRefusal);

        _clock.Advance(Duration.FromMinutes(1));
        Assert.True(limiter.Take(limit, "dev-2").Allowed);
        Assert.True(limiter.Take(limit, "dev-2").FirstRefusal);
    }
}
