using Microsoft.AspNetCore.Http.HttpResults;

namespace Signage.Web.Admin;

/// <summary>
/// What a page form's submission came to: the JSON API's own handler ran (the very same function
/// the API route calls) and either succeeded or refused with a problem. The page shows the
/// problem's field errors next to its fields and the detail above the form.
/// </summary>
public sealed record FormOutcome(int Status, string? Detail, IReadOnlyDictionary<string, string[]> Errors, object? Value)
{
    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>A form as the page shows it again: what was typed, and what was wrong with it.</summary>
public sealed class FormState
{
    public static readonly FormState Empty = new(null, null, null, new Dictionary<string, string[]>());

    public FormState(string? name, IFormCollection? posted, string? detail, IReadOnlyDictionary<string, string[]> errors) =>
        (Name, Posted, Detail, Errors) = (name, posted, detail, errors);

    /// <summary>Which of the page's forms was posted (pages with several forms show errors at the right one).</summary>
    public string? Name { get; }
    public IFormCollection? Posted { get; }
    public string? Detail { get; }
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public bool Is(string name) => Name == name;

    /// <summary>The field's errors as one sentence, only for the form that was posted.</summary>
    public string? Error(string form, string field) =>
        Name == form && Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>What the person typed (so a refusal never loses it), else the stored value.</summary>
    public string Value(string form, string field, string? stored) => Name == form && Posted is not null ? Posted[field].ToString() : stored ?? "";

    public static FormState From(string name, IFormCollection posted, FormOutcome outcome) => new(name, posted, outcome.Detail, outcome.Errors);

    public static FormState Invalid(string name, IFormCollection posted, Dictionary<string, string[]> errors) =>
        new(name, posted, "Some fields need a look: " + string.Join(" ", errors.SelectMany(e => e.Value)), errors);
}

public static partial class AdminForms
{
    /// <summary>
    /// Runs a JSON API handler for a page form, after the page's own check of the same rule the API
    /// route declares (a direct call skips the route's access rule); <paramref name="etag"/> (the
    /// version the page showed) becomes If-Match, so an edit made meanwhile is never overwritten unseen.
    /// </summary>
    public static async Task<FormOutcome> CallAsync(HttpContext http, bool allowed, string refusal, string? etag, Func<Task<IResult>> handler)
    {
        if (!allowed) return new FormOutcome(StatusCodes.Status403Forbidden, refusal, new Dictionary<string, string[]>(), null);
        if (!string.IsNullOrEmpty(etag)) http.Request.Headers.IfMatch = etag;
        var result = await handler();
        return Outcome(result);
    }

    public static FormOutcome Outcome(IResult result)
    {
        if (result is ProblemHttpResult problem)
        {
            var errors = problem.ProblemDetails.Extensions.TryGetValue("errors", out var e) && e is Dictionary<string, string[]> fields
                ? fields : new Dictionary<string, string[]>();
            // A stale page is the usual cause of 412/428 here: say it in words.
            var detail = problem.StatusCode is StatusCodes.Status412PreconditionFailed or StatusCodes.Status428PreconditionRequired
                ? "Someone else changed this while you were editing. The page now shows their version; make your change again."
                : problem.ProblemDetails.Detail;
            return new FormOutcome(problem.StatusCode, detail, errors, null);
        }
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        return new FormOutcome(status, null, new Dictionary<string, string[]>(), result is IValueHttpResult value ? value.Value : null);
    }

    /// <summary>Status of a page shown again after a refusal: the API's status, except validation's 422 (a form with notes is a normal page).</summary>
    public static int PageStatus(FormOutcome outcome) =>
        outcome.Status is StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound or StatusCodes.Status429TooManyRequests ? outcome.Status : StatusCodes.Status200OK;
}
