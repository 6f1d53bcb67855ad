using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Hosting;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.Appliance.Health;

public static partial class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", CheckAsync).AllowAnyone();
        return app;
    }

    /// <summary>
    /// Answers <c>GET /healthz</c> ahead of routing, then adds routing. Routing builds its table of
    /// every endpoint (100+) on the first request it sees — about a fifth of the CPU from exec to the
    /// first answer (docs/PERFORMANCE.md, issue 9) — and the health check needs none of it: its promise
    /// is that the process serves HTTP and the migrated database answers. The endpoint above stays,
    /// so other methods still get routing's 405. Call right after the problem-response middleware
    /// (request id, exception handler) and before anything that reads the endpoint.
    /// </summary>
    public static WebApplication UseHealthAheadOfRouting(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) || !context.Request.Path.Equals("/healthz", StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }
            var services = context.RequestServices;
            var result = await CheckAsync(services.GetRequiredService<Database>(), services.GetRequiredService<ApplianceInfo>(),
                services.GetRequiredService<IClock>(), services.GetRequiredService<ILoggerFactory>(), context.RequestAborted);
            await result.ExecuteAsync(context);
        });
        app.UseRouting();
        return app;
    }

    /// <summary>200 with the version and schema version when the database answers; 503 otherwise. Anyone
    /// may ask, so the 503 says only that: SQLite's message (file paths, table names) goes to the log.</summary>
    private static async Task<IResult> CheckAsync(Database database, ApplianceInfo info, IClock clock, ILoggerFactory loggers, CancellationToken cancellationToken)
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
            LogDatabaseUnavailable(loggers.CreateLogger(typeof(HealthEndpoints).FullName!), e);
            return ProblemResponses.Problem(StatusCodes.Status503ServiceUnavailable, ProblemCodes.DatabaseUnavailable,
                "The database did not answer; the appliance's log says why.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "GET /healthz: the database did not answer")]
    private static partial void LogDatabaseUnavailable(ILogger logger, Exception exception);
}
