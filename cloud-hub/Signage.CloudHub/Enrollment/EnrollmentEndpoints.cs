using System.Security.Cryptography;
using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Sync;
using Signage.CloudHub.Tenancy;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.CloudHub.Enrollment;

/// <summary>
/// A tenant admin makes a one-time, expiring code for a venue; the venue's appliance trades it for
/// its credential (docs/ARCHITECTURE.md "Protocols" 2). The hub keeps only hashes of both. An
/// appliance that ran standalone keeps its venue: the hub records its venue id (adoption) and takes
/// its name and timezone where the hub venue was created without them.
/// </summary>
public static class EnrollmentEndpoints
{
    public static readonly Duration DefaultValidity = Duration.FromHours(24);
    public static readonly Duration MaxValidity = Duration.FromDays(7);

    // Crockford base32 without look-alikes: easy to read out and type.
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int CodeLength = 12; // 60 bits

    public static IEndpointRouteBuilder MapEnrollment(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/tenants/{tenantId}/venues/{venueId}/enrollment-codes", CreateCode).RequireTenantAdmin();
        app.MapPost("/v1/enrollment/redeem", Redeem);
        return app;
    }

    /// <summary>?validForSeconds= shortens or extends the default 24 h (at most 7 days).</summary>
    internal static async Task<IResult> CreateCode(string tenantId, string venueId, int? validForSeconds, HubCaller caller, HubDatabase database, IClock clock,
        CancellationToken cancellationToken)
    {
        var validity = validForSeconds is { } seconds ? Duration.FromSeconds(seconds) : DefaultValidity;
        if (validity <= Duration.Zero || validity > MaxValidity)
            return ProblemResponses.Invalid(new() { ["validForSeconds"] = [$"validForSeconds must be between 1 and {(long)MaxValidity.TotalSeconds}."] });
        await using var connection = await database.OpenAsync(cancellationToken);
        if (!await connection.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM venue WHERE venue_id = @venue AND tenant_id = @tenant);", null,
                ("venue", venueId), ("tenant", tenantId)))
            return Authentication.NotFound("venue");
        var code = NewCode();
        var now = clock.GetCurrentInstant();
        await connection.ExecuteAsync("""
            INSERT INTO enrollment_code (code_hash, tenant_id, venue_id, created_by, created_at, expires_at) VALUES (@hash, @tenant, @venue, @by, @now, @expires);
            """, null, ("hash", Secrets.Hash(Normalize(code))), ("tenant", tenantId), ("venue", venueId), ("by", caller.UserId),
            ("now", now.ToDateTimeUtc()), ("expires", (now + validity).ToDateTimeUtc()));
        return TypedResults.Created((string?)null, new EnrollmentCodeResponse(code, venueId, Sql.Utc((now + validity).ToDateTimeUtc())));
    }

    private static async Task<IResult> Redeem(EnrollRequest request, HttpContext http, HubDatabase database, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, RateLimit.RedeemPerIp, http.Connection.RemoteIpAddress?.ToString() ?? "unknown") is { } refused) return refused;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.ApplianceId) || request.ApplianceId.Length > 100) errors["applianceId"] = ["applianceId is required (at most 100 characters)."];
        if (string.IsNullOrWhiteSpace(request.Venue.VenueId) || request.Venue.VenueId.Length > 100) errors["venue.venueId"] = ["venue.venueId is required."];
        Validation.Name(errors, "venue.name", request.Venue.Name, allowBlank: true);
        Validation.Timezone(errors, request.Venue.Timezone);
        if (request.ApplianceVersion.Length > 100) errors["applianceVersion"] = ["applianceVersion has at most 100 characters."];
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);

        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        await using var transaction = await connection.BeginTransactionAsync(http.RequestAborted);
        var code = await connection.QuerySingleAsync(
            "SELECT tenant_id, venue_id, expires_at, redeemed_at IS NOT NULL FROM enrollment_code WHERE code_hash = @hash FOR UPDATE;", transaction,
            r => new { TenantId = r.GetString(0), VenueId = r.GetString(1), Expires = r.GetDateTime(2), Used = r.GetBoolean(3) },
            ("hash", Secrets.Hash(Normalize(request.Code))));
        if (code is null)
            return ProblemResponses.Problem(StatusCodes.Status404NotFound, "ENROLLMENT_CODE_UNKNOWN", "This enrollment code does not exist; check it or ask for a new one.");
        if (code.Used)
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, "ENROLLMENT_CODE_USED", "This enrollment code was already used; ask for a new one.");
        if (Instant.FromDateTimeUtc(DateTime.SpecifyKind(code.Expires, DateTimeKind.Utc)) <= now)
            return ProblemResponses.Problem(StatusCodes.Status410Gone, "ENROLLMENT_CODE_EXPIRED", "This enrollment code has expired; ask for a new one.");
        var owner = await connection.ScalarAsync<string>("SELECT tenant_id FROM appliance WHERE appliance_id = @id;", transaction, ("id", request.ApplianceId));
        if (owner is not null && owner != code.TenantId)
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, "APPLIANCE_ENROLLED_ELSEWHERE", "This appliance is enrolled with another tenant.");

        // Re-enrolling the same appliance replaces its credential: the old one stops working at once.
        var credential = Secrets.NewToken();
        await connection.ExecuteAsync("""
            INSERT INTO appliance (appliance_id, tenant_id, venue_id, credential_hash, appliance_version, appliance_venue_id, enrolled_at)
            VALUES (@id, @tenant, @venue, @hash, @version, @applianceVenue, @now)
            ON CONFLICT (appliance_id) DO UPDATE SET venue_id = excluded.venue_id, credential_hash = excluded.credential_hash,
                appliance_version = excluded.appliance_version, appliance_venue_id = excluded.appliance_venue_id, enrolled_at = excluded.enrolled_at;
            UPDATE enrollment_code SET redeemed_at = @now, appliance_id = @id WHERE code_hash = @code;
            UPDATE venue SET appliance_venue_id = @applianceVenue,
                name = CASE WHEN name = '' THEN @name ELSE name END,
                timezone = CASE WHEN timezone = '' THEN @zone ELSE timezone END,
                updated_at = @now
            WHERE venue_id = @venue;
            """, transaction, ("id", request.ApplianceId), ("tenant", code.TenantId), ("venue", code.VenueId), ("hash", Secrets.Hash(credential)),
            ("version", request.ApplianceVersion), ("applianceVenue", request.Venue.VenueId), ("now", now.ToDateTimeUtc()),
            ("code", Secrets.Hash(Normalize(request.Code))), ("name", request.Venue.Name.Trim()), ("zone", request.Venue.Timezone));
        await ChangeFeed.VenueChangedAsync(connection, transaction, code.TenantId, code.VenueId);
        var venueName = await connection.ScalarAsync<string>("SELECT name FROM venue WHERE venue_id = @venue;", transaction, ("venue", code.VenueId));
        await transaction.CommitAsync(http.RequestAborted);
        return TypedResults.Ok(new EnrollResponse(request.ApplianceId, code.TenantId, code.VenueId, venueName ?? "", credential));
    }

    /// <summary>XXXX-XXXX-XXXX from a 32-letter alphabet (60 random bits).</summary>
    private static string NewCode()
    {
        var letters = new char[CodeLength];
        for (var i = 0; i < CodeLength; i++) letters[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        var text = new string(letters);
        return $"{text[..4]}-{text[4..8]}-{text[8..]}";
    }

    /// <summary>People type codes in lower case, with or without dashes and spaces.</summary>
    private static string Normalize(string code) => new([.. code.ToUpperInvariant().Where(char.IsAsciiLetterOrDigit)]);
}
