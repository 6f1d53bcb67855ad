using Npgsql;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.CloudHub.Data;

/// <summary>
/// Two PostgreSQL failures that are not the hub's fault, answered precisely instead of 500 (found by the hub fuzz
/// and the PostgreSQL restart test, tests/Signage.FaultInjection.Tests): text PostgreSQL cannot store (a NUL
/// character: 22021 in text, 22P05 in jsonb) is the caller's input, 422; a database that cannot be reached or is
/// shutting down or starting up is an outage the caller waits out, 503 with Retry-After. Either way the request's
/// transaction did not commit, so nothing of it was stored.
/// </summary>
public static class DatabaseFailureAnswers
{
    public const string UnavailableDetail =
        "The hub's database is unavailable (restarting or unreachable), so nothing of this request was stored. Send it again in a few seconds.";

    public static WebApplication UseDatabaseFailureAnswers(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (!context.Response.HasStarted && IsUnstorableText(e))
            {
                await ProblemResponses.Problem(StatusCodes.Status422UnprocessableEntity, ProblemCodes.ValidationFailed,
                    "Text cannot contain the NUL character (\\u0000); nothing of this request was stored.").ExecuteAsync(context);
            }
            catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested && IsUnavailable(e))
            {
                context.Response.Clear();
                context.Response.Headers.RetryAfter = "5";
                await ProblemResponses.Problem(StatusCodes.Status503ServiceUnavailable, ProblemCodes.ServiceUnavailable, UnavailableDetail).ExecuteAsync(context);
            }
        });
        return app;
    }

    private static bool IsUnstorableText(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter }
        || (e.InnerException is { } inner && IsUnstorableText(inner));

    /// <summary>No connection (refused, broken, timed out) or the server shutting down or starting up.</summary>
    private static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow } => true,
        PostgresException => false,
        NpgsqlException { IsTransient: true } => true,
        _ => e.InnerException is { } inner && IsUnavailable(inner),
    };
}
