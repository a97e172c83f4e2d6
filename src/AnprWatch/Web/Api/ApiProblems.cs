using AnprWatch.Cli;
using Microsoft.AspNetCore.Http;

namespace AnprWatch.Web.Api;

/// <summary>Input errors become RFC 7807 problem details (400) whose detail is the message the command line gives.</summary>
public static class ApiProblems
{
    public static IResult BadRequest(string message) => Results.Problem(detail: message, statusCode: StatusCodes.Status400BadRequest, title: "invalid input");

    /// <summary>A 400 whose <c>errors</c> map names the request field that is wrong, with the same message as detail.</summary>
    public static IResult FieldProblem(string field, string message)
        => Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "invalid input");

    /// <summary>
    /// The 404 for a hit id that names no hit (or one outside the key's scope, which must look the same). The id is
    /// echoed only when it could be a hit id (at most 32 letters, digits or dashes, the hits.hit_id column): anything
    /// else is a caller's mistake or a probe, and reflecting it back only helps the probe.
    /// </summary>
    public static IResult UnknownHit(string hitId)
    {
        var echo = hitId.Length <= 32 && hitId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
        return Results.Problem(detail: echo ? $"no hit {hitId}" : "no such hit: a hit id is at most 32 letters, digits or dashes",
            statusCode: StatusCodes.Status404NotFound, title: "unknown hit");
    }

    public static async Task<IResult> Guard(Func<Task<IResult>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Security.OutOfScopeException ex)
        {
            // Already recorded as a refusal in the audit log by AccessScope.
            return Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status403Forbidden, title: "outside the key's scope");
        }
        catch (Hosting.RemovalNotConfirmedException ex)
        {
            // Valid, but needs a second, deliberate step: 409 tells a client to show the diff and ask.
            return Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status409Conflict, title: "removals need confirming (confirmRemovals=true)");
        }
        catch (Storage.ListChangedException ex)
        {
            return Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status409Conflict, title: "the list changed meanwhile");
        }
        catch (InvalidInputException ex)
        {
            return BadRequest(ex.Message);
        }
        catch (ArgumentException ex)
        {
            return BadRequest(ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel stops reading at the endpoint's body limit; say which limit, and that nothing changed.
            return Results.Problem(detail: "the request body is over this endpoint's size limit; nothing was changed", statusCode: StatusCodes.Status413PayloadTooLarge, title: "request body too large");
        }
    }
}
