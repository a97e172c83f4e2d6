using System.Globalization;
using AnprWatch.Cli;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using AnprWatch.Core.Time;
using AnprWatch.Hosting;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Hits;
using AnprWatch.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AnprWatch.Web.Api;

/// <summary>The HTTP API of DESIGN §4.7. Every endpoint requires a policy; the tests enumerate them to prove it.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapAnprWatchApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");

        // Every body is small (Http:MaxBodyBytes) except a marker list, which may be as large as Markers:MaxFileBytes.
        var maxMarkerFile = app.ServiceProvider.GetRequiredService<AppServices>().Options.MaxMarkerFileBytes;

        api.MapPost("/markers/{force}", UploadMarkersAsync).RequireAuthorization(WebSecurity.Markers)
            .WithMetadata(new RequestSizeLimitAttribute(maxMarkerFile)).AddEndpointFilter(WebSecurity.RequireAntiforgeryForCookies);
        api.MapGet("/markers", ListMarkersAsync).RequireAuthorization(WebSecurity.Markers);
        api.MapGet("/markers/review-due", ReviewDueAsync).RequireAuthorization(WebSecurity.Markers);
        api.MapPost("/markers/{force}/review", RecordReviewAsync).RequireAuthorization(WebSecurity.Markers).AddEndpointFilter(WebSecurity.RequireAntiforgeryForCookies);

        api.MapAnprWatchLocations(maxMarkerFile);

        api.MapGet("/alerts", AlertsSinceAsync).RequireAuthorization(WebSecurity.Alerts);
        api.MapGet("/alerts/stream", AlertStream.StreamAsync).RequireAuthorization(WebSecurity.Alerts);
        api.MapPost("/hits/{hitId}/outcome", RecordOutcomeAsync).RequireAuthorization(WebSecurity.Alerts).AddEndpointFilter(WebSecurity.RequireAntiforgeryForCookies);

        api.MapGet("/hits", ListHitsAsync).RequireAuthorization(WebSecurity.Hits);
        api.MapGet("/reports/evaluation", EvaluationAsync).RequireAuthorization(WebSecurity.Reports);
        api.MapGet("/audit", ListAuditAsync).RequireAuthorization(WebSecurity.Admin);
        return app;
    }

    private static Task<IResult> UploadMarkersAsync(string force, bool? dryRun, bool? confirmRemovals, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var host = Arguments.Force(force);

        // The CSV reader is synchronous; the body is spooled to a temporary file first so the request never blocks a thread.
        var spool = Path.GetTempFileName();
        try
        {
            await using (var file = File.Create(spool))
            {
                await context.Request.Body.CopyToAsync(file, context.RequestAborted).ConfigureAwait(false);
            }

            MarkerImportOutcome outcome;
            await using (var file = File.OpenRead(spool))
            {
                var role = context.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "unknown";
                outcome = await MarkerImport.RunAsync(services, host, file, file.Length, "the upload", dryRun == true, context.User.Identity?.Name ?? "unknown", role, null, context.RequestAborted, confirmRemovals == true).ConfigureAwait(false);
            }

            var warnings = outcome.Csv.Warnings.Select(w => new { line = w.Line, message = w.Message });
            if (outcome.Diff is not { } diff)
            {
                return Results.Json(new { valid = false, errors = outcome.Csv.Errors.Select(e => new { line = e.Line, message = e.Message }), warnings }, statusCode: StatusCodes.Status400BadRequest);
            }

            var summary = new
            {
                added = diff.Added.Select(m => new { vrm = m.Vrm, suspectRef = m.SuspectRef, riskLevel = m.Risk.Label() }),
                removed = diff.Removed.Select(m => new { vrm = m.Vrm, suspectRef = m.SuspectRef, riskLevel = m.Risk.Label() }),
                changed = diff.Changed.Select(c => new
                {
                    vrm = c.After.Vrm, suspectRef = c.After.SuspectRef, fields = c.Fields,
                    changes = c.Changes.Select(f => new { field = f.Field, before = f.Before, after = f.After }),
                }),
                keptReviews = diff.KeptReviews,
                unchanged = diff.Unchanged,
                addedCount = diff.AddedCount,
                removedCount = diff.RemovedCount,
                changedCount = diff.ChangedCount,
            };
            return outcome.Version is not { } version
                ? Results.Json(new { valid = true, dryRun = true, markers = outcome.Csv.Markers.Count, diff = summary, warnings })
                : Results.Json(new { valid = true, dryRun = false, version = version.Version, markers = version.MarkerCount, sha256 = outcome.Sha256, diff = summary, warnings });
        }
        finally
        {
            File.Delete(spool);
        }
    });

    private static Task<IResult> ListMarkersAsync(string? force, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var code = force is null ? null : Arguments.Force(force).Code;
        var markers = await services.Markers.GetActiveMarkersAsync(code, context.RequestAborted).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Consult, $"markers list{(code is null ? "" : " " + code)}").ConfigureAwait(false);
        return Results.Json(markers.Select(MarkerView.From), ContractJson.Options);
    });

    private static Task<IResult> ReviewDueAsync(int? within, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var days = within ?? 0;
        if (days < 0)
        {
            throw new InvalidInputException("within must be 0 or more days");
        }

        var today = UkTime.Today(services.Clock);
        var markers = (await services.Markers.FindActiveMarkersAsync(reviewDueBy: today.AddDays(days), cancellationToken: context.RequestAborted).ConfigureAwait(false))
            .OrderBy(m => m.ReviewDue).ToList();
        await context.RecordAsync(services, AuditActions.Consult, "markers review-due").ConfigureAwait(false);
        return Results.Json(markers.Select(MarkerView.From), ContractJson.Options);
    });

    public sealed record ReviewRequest(string? Vrm, string? SuspectRef, string? ReviewDue, string? Note);

    private static Task<IResult> RecordReviewAsync(string force, ReviewRequest request, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var host = Arguments.Force(force);
        var next = Arguments.Date(request.ReviewDue, "reviewDue");
        var version = await MarkerReviews.RecordAsync(services, host, request.Vrm, request.SuspectRef, next, request.Note, context.User.Identity?.Name ?? "unknown", context.RequestAborted,
            context.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "unknown").ConfigureAwait(false);
        return Results.Json(new { version = version.Version, reviewDue = Output.Iso(next) });
    });

    private static Task<IResult> AlertsSinceAsync(string? since, string? force, HttpContext context, AppServices services, BoardWindow window) => ApiProblems.Guard(async () =>
    {
        var earliest = window.Earliest(services.Clock.GetUtcNow());
        var from = since is null ? earliest
            : DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed
            : throw new InvalidInputException($"since '{since}' is not an ISO-8601 timestamp");

        // The live view reaches back no further than Alerting:BoardWindow; older hits need /api/hits and its tier.
        if (from < earliest)
        {
            from = earliest;
        }
        var code = force is null ? null : Arguments.Force(force).Code;
        var hits = await services.Hits.AlertedAfterAsync(from.ToUnixTimeMilliseconds() - 1, "", code, 1000, context.RequestAborted).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Consult, $"alerts since {from:O}{(code is null ? "" : " force " + code)} ({hits.Count} rows)").ConfigureAwait(false);
        return Results.Json(hits.Select(HitView.From), ContractJson.Options);
    });

    public sealed record OutcomeRequest(string? Status, string? Note);

    private static Task<IResult> RecordOutcomeAsync(string hitId, OutcomeRequest request, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        if (request.Status is null)
        {
            throw new InvalidInputException($"status is required ({string.Join(", ", OutcomeStore.Statuses)})");
        }

        var role = context.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "unknown";
        var outcome = await services.Outcomes.RecordAsync(hitId, request.Status, request.Note, context.User.Identity?.Name ?? "unknown", role, context.RequestAborted).ConfigureAwait(false);
        return outcome is null ? Results.NotFound(new { error = $"no hit {hitId}" }) : Results.Json(outcome, ContractJson.Options);
    });

    private static Task<IResult> ListHitsAsync(string? from, string? to, string? force, string? vrm, string? justification, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var (start, end) = Arguments.Period(from, to);
        Reports.ReportService.CheckAccessTier(start, services.Clock, justification);
        var code = force is null ? null : Arguments.Force(force).Code;
        var plate = vrm is null ? null : Vrm.Normalise(vrm) ?? throw new InvalidInputException("vrm is not a valid VRM");
        var (rangeStart, rangeEnd) = UkTime.Range(start, end);
        var hits = await services.Hits.QueryAsync(new HitQuery(rangeStart, rangeEnd, code, plate), context.RequestAborted).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Consult, HitLookups.AuditSubject(start, end, code, plate, hits.Count), justification).ConfigureAwait(false);
        return Results.Json(hits.Select(HitView.From), ContractJson.Options);
    });

    private static Task<IResult> EvaluationAsync(string? from, string? to, string? force, string? region, string? format, string? justification, bool? includeVrms, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var (start, end) = Arguments.Period(from, to);
        var scope = Reports.ReportService.Scope(force, region);
        Reports.ReportService.CheckAccessTier(start, services.Clock, justification);
        var kind = (format ?? "json").ToLowerInvariant();
        if (kind is not ("json" or "csv" or "html"))
        {
            throw new InvalidInputException($"format '{format}' is not json, csv or html");
        }

        var report = await Reports.ReportService.BuildAsync(services, start, end, scope, context.RequestAborted).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Disclose, $"evaluation report {Output.Iso(start)}..{Output.Iso(end)} {scope.ToJson().ToJsonString()} as {kind}{(includeVrms == true ? " with VRMs" : "")}", justification).ConfigureAwait(false);
        var name = $"evaluation-{Output.Iso(start)}-{Output.Iso(end)}.{kind}";
        return kind switch
        {
            "csv" => Results.File(System.Text.Encoding.UTF8.GetBytes(Reports.ReportService.Csv(report)), "text/csv; charset=utf-8", name),
            "html" => Results.Content(Reports.HtmlReport.Render(report, includeVrms == true), "text/html; charset=utf-8"), // shown in the Reports page
            _ => Results.Text(report.Json.ToJsonString(), "application/json; charset=utf-8"),
        };
    });

    private static Task<IResult> ListAuditAsync(string? from, string? to, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var (start, end) = Arguments.Period(from, to);
        var (rangeStart, rangeEnd) = UkTime.Range(start, end);
        var entries = await services.Audit.ListAsync(rangeStart, rangeEnd, context.RequestAborted).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Consult, $"audit log {Output.Iso(start)}..{Output.Iso(end)} ({entries.Count} rows)").ConfigureAwait(false);
        return Results.Json(entries, ContractJson.Options);
    });
}

/// <summary>A marker as the API and <c>markers list --format json</c> show it.</summary>
public sealed record MarkerView(string MarkerId, string Vrm, string SuspectRef, string RiskLevel, string HostForce, string ReviewDue, string? Expires,
    string? Operation, string? Action, string? Contact, string MarkerType, string PlateFormat)
{
    public static MarkerView From(Marker m) => new(m.MarkerId, m.Vrm, m.SuspectRef, m.Risk.Label(), m.HostForce.Code, Output.Iso(m.ReviewDue),
        m.Expires is { } e ? Output.Iso(e) : null, m.Operation, m.Action, m.Contact, m.MarkerType, m.Format.Label());
}
