using Microsoft.AspNetCore.Http;

namespace ViraLoop.Api;

/// <summary>
/// Every error the API gives: RFC 9457 problem details with a type naming the problem, a title, and a detail a person can
/// act on. Never a stack trace.
/// </summary>
public static class Problems
{
    public const string TypeBase = "https://viraloop.dev/problems/";

    public static IResult Of(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: TypeBase + type, extensions: extensions);

    /// <summary>A body <see cref="Videos.BodyReader"/> refused: 400, 413 or 415 with its reason.</summary>
    public static IResult Body(int status, string detail) => Of(status, "invalid-request", "The request is not valid.", detail);

    public static IResult BadRequest(string detail, IDictionary<string, object?>? extensions = null) =>
        Of(StatusCodes.Status400BadRequest, "invalid-request", "The request is not valid.", detail, extensions);

    /// <summary>The same answer for a job that does not exist and one of another tenant: nothing tells them apart.</summary>
    public static IResult NotFound(string what = "video") =>
        Of(StatusCodes.Status404NotFound, "not-found", "Not found.", $"There is no such {what}.");

    public static IResult Conflict(string detail) =>
        Of(StatusCodes.Status409Conflict, "conflict", "The request conflicts with the video's state.", detail);

    public static IResult Unauthorized(string detail) =>
        Of(StatusCodes.Status401Unauthorized, "unauthorized", "Authentication is needed.", detail);

    /// <summary>
    /// The content policy refused the request: 400 with the type <c>moderation/{category}</c>, the passage and where it is,
    /// and the rejected job's id when one was recorded.
    /// </summary>
    public static IResult Refused(string category, string detail, IDictionary<string, object?> extensions) =>
        Of(StatusCodes.Status400BadRequest, $"moderation/{category}", $"The content policy refuses this ({category}).", detail,
            new Dictionary<string, object?>(extensions) { ["category"] = category });

    public static IResult Quota(string quota, string detail) =>
        Of(StatusCodes.Status403Forbidden, "quota-exceeded", $"Quota {quota} is used up.", detail, new Dictionary<string, object?> { ["quota"] = quota });
}
