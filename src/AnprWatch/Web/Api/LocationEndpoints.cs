using AnprWatch.Cli;
using AnprWatch.Commands;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Time;
using AnprWatch.Hosting;
using AnprWatch.Storage.Audit;
using AnprWatch.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace AnprWatch.Web.Api;

/// <summary>Flagged CSE locations over HTTP (DESIGN §8): bureau and analysts (admin: national) upload and list a force's list.</summary>
public static class LocationEndpoints
{
    public static RouteGroupBuilder MapAnprWatchLocations(this RouteGroupBuilder api, long maxFileBytes)
    {
        api.MapPost("/locations/{force}", UploadAsync).RequireAuthorization(WebSecurity.Locations)
            .WithMetadata(new RequestSizeLimitAttribute(maxFileBytes)).AddEndpointFilter(WebSecurity.RequireAntiforgeryForCookies);
        api.MapGet("/locations/{force}", ListAsync).RequireAuthorization(WebSecurity.Locations);
        api.MapGet("/locations/{force}/history", HistoryAsync).RequireAuthorization(WebSecurity.Locations);
        api.MapPost("/locations/{force}/rollback", RollbackAsync).RequireAuthorization(WebSecurity.Locations).AddEndpointFilter(WebSecurity.RequireAntiforgeryForCookies);
        return api;
    }

    private static Task<IResult> UploadAsync(string force, bool? dryRun, bool? confirmRemovals, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var owner = Arguments.Force(force);
        await AccessScope.RequireAsync(context, services, owner.Code, "loading the location list").ConfigureAwait(false);
        return await ListUpload.SpoolAsync(context, async file =>
        {
            var outcome = await LocationImport.RunAsync(services, owner, file, file.Length, "the upload", dryRun == true, context.Actor(), context.Role(), context.RequestAborted, confirmRemovals == true).ConfigureAwait(false);
            var warnings = outcome.Csv.Warnings.Select(w => new { line = w.Line, message = w.Message });
            if (outcome.Diff is not { } diff)
            {
                return Results.Json(new { valid = false, errors = outcome.Csv.Errors.Select(e => new { line = e.Line, message = e.Message }), warnings }, statusCode: StatusCodes.Status400BadRequest);
            }

            var summary = DiffSummary(diff);
            return outcome.Version is not { } version
                ? Results.Json(new { valid = true, dryRun = true, locations = outcome.Csv.Locations.Count, diff = summary, warnings })
                : Results.Json(new { valid = true, dryRun = false, version = version.Version, locations = version.LocationCount, sha256 = outcome.Sha256, diff = summary, warnings });
        }).ConfigureAwait(false);
    });

    /// <summary>A location diff as the upload and rollback answers show it: old → new for every changed field, and the counts.</summary>
    private static object DiffSummary(Core.Locations.LocationListDiff diff)
    {
        static object Brief(Core.Locations.Location l) => new { locationRef = l.Ref, name = l.Name, radiusM = l.RadiusM, riskLevel = l.Risk.Label() };
        return new
        {
            added = diff.Added.Select(Brief),
            removed = diff.Removed.Select(Brief),
            changed = diff.Changed.Select(c => new { locationRef = c.After.Ref, changes = c.Changes.Select(f => new { field = f.Field, before = f.Before, after = f.After }) }),
            unchanged = diff.Unchanged,
            addedCount = diff.Added.Count,
            removedCount = diff.Removed.Count,
            changedCount = diff.Changed.Count,
        };
    }

    private static Task<IResult> HistoryAsync(string force, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var code = Arguments.Force(force).Code;
        await AccessScope.RequireAsync(context, services, code, "the location list history").ConfigureAwait(false);
        var versions = await services.Locations.HistoryAsync(code, context.RequestAborted).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Consult, $"locations history {code}").ConfigureAwait(false);
        return ListHistory.Json(versions, "locations");
    });

    private static Task<IResult> RollbackAsync(string force, long? toVersion, bool? dryRun, bool? confirmRemovals, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var owner = Arguments.Force(force);
        await AccessScope.RequireAsync(context, services, owner.Code, "rolling back the location list").ConfigureAwait(false);
        var target = toVersion ?? throw new InvalidInputException("toVersion is required (the earlier version to restore)");
        var outcome = await LocationImport.RollbackAsync(services, owner, target, dryRun == true, confirmRemovals == true, context.Actor(), context.Role(), context.RequestAborted).ConfigureAwait(false);
        if (outcome.Version is not { } version)
        {
            // The preview shows the flagged places that would change: audited as a consultation, as a marker preview is.
            await context.RecordAsync(services, AuditActions.Consult, $"locations rollback preview {owner.Code} to v{target}").ConfigureAwait(false);
            return Results.Json(new { dryRun = true, toVersion = target, diff = DiffSummary(outcome.Diff) });
        }

        // The new version's own audit entry (collect, with its diff counts and the restored file's hash) is written with it.
        return Results.Json(new { dryRun = false, toVersion = target, version = version.Version, locations = version.LocationCount, diff = DiffSummary(outcome.Diff) });
    });

    private static Task<IResult> ListAsync(string force, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var code = Arguments.Force(force).Code;
        await AccessScope.RequireAsync(context, services, code, "the location list").ConfigureAwait(false);
        var locations = await services.Locations.GetActiveAsync(code, context.RequestAborted).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Consult, $"locations list {code}").ConfigureAwait(false);
        var today = UkTime.Today(services.Clock);
        return Results.Json(locations.Select(l => LocationView.From(l, today)), ContractJson.Options);
    });
}
