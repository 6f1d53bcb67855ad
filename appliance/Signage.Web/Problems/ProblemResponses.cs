using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Signage.Contracts;

namespace Signage.Web.Problems;

/// <summary>
/// Every error is <c>application/problem+json</c> with a <c>code</c> and the <c>requestId</c>
/// (spec 27.2), and every response carries <c>X-Request-Id</c> (spec 27.1): thrown exceptions,
/// framework 4xx (unknown route, wrong method, unreadable body) and endpoint problems alike.
/// </summary>
public static partial class ProblemResponses
{
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>Problem answers, with <paramref name="database"/> telling this server's database failures apart
    /// (an instance, not a type to construct: nothing for the trimmer to keep).</summary>
    public static IServiceCollection AddProblemResponses(this IServiceCollection services, IDatabaseFailures database)
    {
        services.AddSingleton(database);
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // so the handler below can say why
        return services.AddProblemDetails(o => o.CustomizeProblemDetails = Customize);
    }

    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        var database = app.Services.GetRequiredService<IDatabaseFailures>();
        app.Use(AssignRequestId);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A request the framework could not read is the client's error, not ours.
            // Nor is a full disk (507) or a database still busy after its 30 s wait (503 + Retry-After): the screen or
            // person retries later instead of reporting a fault.
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode
                : IsStorageFull(e, database) ? StatusCodes.Status507InsufficientStorage
                : IsBusy(e, database) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>An endpoint's error, with a precise code and a sentence a person can act on.</summary>
    public static IResult Problem(int status, string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["code"] = code };
        return TypedResults.Problem(detail: detail, statusCode: status, type: ProblemCodes.TypeUri(code), extensions: all);
    }

    /// <summary>422 with every field's problems, so a form can show them all at once.</summary>
    public static IResult Invalid(Dictionary<string, string[]> errors) => Problem(StatusCodes.Status422UnprocessableEntity,
        ProblemCodes.ValidationFailed, "Some fields are not valid: " + string.Join(" ", errors.SelectMany(e => e.Value)),
        new Dictionary<string, object?> { ["errors"] = errors });

    public const string StorageFullDetail =
        "The appliance's disk is full, so nothing of this request was stored. Free space (delete unused media), then send it again.";

    /// <summary>The database's own "disk full", or a write refused with ENOSPC/EDQUOT (Linux) or a disk-full error (Windows).</summary>
    public static bool IsStorageFull(Exception e, IDatabaseFailures database) => e switch
    {
        _ when IsDiskFull(e) => true,
        _ when database.IsFull(e) => true,
        _ => e.InnerException is { } inner && IsStorageFull(inner, database),
    };

    /// <summary>A file write refused with ENOSPC/EDQUOT (Linux) or a disk-full error (Windows), this exception or an inner one.</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException { HResult: 28 or 122 or unchecked((int)0x80070070) or unchecked((int)0x80070027) }
        || (e.InnerException is { } inner && IsDiskFull(inner));

    public const string BusyDetail =
        "The appliance is overloaded: the database stayed busy with other writes for 30 seconds, so nothing of this request was stored. Send it again in a few seconds.";

    /// <summary>The database stayed busy past its wait: overload, not a fault.</summary>
    public static bool IsBusy(Exception e, IDatabaseFailures database) => database.IsBusy(e) || (e.InnerException is { } inner && IsBusy(inner, database));

    private static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        if (!problem.Extensions.TryGetValue("code", out var code) || code is not string)
        {
            var database = context.HttpContext.RequestServices.GetRequiredService<IDatabaseFailures>();
            code = ProblemCodes.ForStatus(status);
            if (context.Exception is BadHttpRequestException { InnerException: JsonException } bad)
            {
                code = ProblemCodes.MalformedJson;
                problem.Detail = bad.Message;
            }
            else if (context.Exception is { } full && IsStorageFull(full, database))
            {
                code = ProblemCodes.StorageFull;
                problem.Title = "Insufficient Storage";
                problem.Detail = StorageFullDetail;
            }
            else if (context.Exception is { } busy && IsBusy(busy, database))
            {
                code = ProblemCodes.ServiceUnavailable;
                problem.Detail = BusyDetail;
                context.HttpContext.Response.Headers.RetryAfter = "5";
            }
            else if (context.Exception is BadHttpRequestException other)
            {
                problem.Detail = other.Message;
            }
            problem.Extensions["code"] = code;
        }
        problem.Type = ProblemCodes.TypeUri((string)code!);
        problem.Instance ??= context.HttpContext.Request.Path;
        problem.Extensions["requestId"] = context.HttpContext.TraceIdentifier;
    }

    /// <summary>Keeps a caller's well-formed X-Request-Id (so a trace spans player, appliance and
    /// hub), otherwise makes a UUID; logs and problem bodies use the same id.</summary>
    private static Task AssignRequestId(HttpContext context, RequestDelegate next)
    {
        var incoming = context.Request.Headers[RequestIdHeader].ToString();
        var requestId = WellFormedRequestId().IsMatch(incoming) ? incoming : Guid.NewGuid().ToString();
        context.TraceIdentifier = requestId;
        // Set when the response starts: the exception handler clears headers set before it runs.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[RequestIdHeader] = requestId;
            return Task.CompletedTask;
        });
        using (Serilog.Context.LogContext.PushProperty("RequestId", requestId))
        {
            return next(context);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex WellFormedRequestId();
}
