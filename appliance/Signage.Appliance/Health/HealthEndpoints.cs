using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Data;
using Signage.Appliance.Hosting;
using Signage.Appliance.Problems;
using Signage.Contracts;

namespace Signage.Appliance.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", CheckAsync).AllowAnonymous();
        return app;
    }

    /// <summary>200 with the version and schema version when the database answers; 503 otherwise.</summary>
    private static async Task<IResult> CheckAsync(Database database, ApplianceInfo info, IClock clock, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var schemaVersion = Migrator.CurrentVersion(connection);
            var uptime = (long)(clock.GetCurrentInstant() - info.StartedAt).TotalSeconds;
            return TypedResults.Ok(new HealthReport("ok", ApplianceInfo.Version, new DatabaseHealth("ok", schemaVersion), uptime));
        }
        catch (SqliteException e)
        {
            return ProblemResponses.Problem(StatusCodes.Status503ServiceUnavailable, ProblemCodes.DatabaseUnavailable,
                $"The database did not answer: {e.Message}");
        }
    }
}
