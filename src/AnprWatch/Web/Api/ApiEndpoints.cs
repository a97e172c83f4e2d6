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
        api.MapGet("/markers/{force}/history", MarkerHistoryAsync).RequireAuthorization(WebSecurity.Markers);
        api.MapPost("/markers/{force}/rollback", RollbackMarkersAsync).RequireAuthorization(WebSecurity.Markers).AddEndpointFilter(WebSecurity.RequireAntiforgeryForCookies);

        api.MapAnprWatchLocations(maxMarkerFile);

        api.MapGet("/alerts", AlertsSinceAsync).RequireAuthorization(WebSecurity.Alerts);
        api.MapGet("/alerts/stream", AlertStream.StreamAsync).RequireAuthorization(WebSecurity.Alerts);
        api.MapPost("/hits/{hitId}/outcome", RecordOutcomeAsync).RequireAuthorization(WebSecurity.Alerts).AddEndpointFilter(WebSecurity.RequireAntiforgeryForCookies);

        api.MapGet("/hits", ListHitsAsync).RequireAuthorization(WebSecurity.Hits);
        api.MapGet("/reports/evaluation", EvaluationAsync).RequireAuthorization(WebSecurity.Reports);
        api.MapGet("/audit", ListAuditAsync).RequireAuthorization(WebSecurity.Admin);
        api.MapGet("/admin/notifications", ListNotificationsAsync).RequireAuthorization(WebSecurity.Admin);
        return app;
    }

    private static Task<IResult> UploadMarkersAsync(string force, bool? dryRun, bool? confirmRemovals, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var host = Arguments.Force(force);
        await AccessScope.RequireAsync(context, services, host.Code, "loading the marker list").ConfigureAwait(false);

        return await ListUpload.SpoolAsync(context, async file =>
        {
            var outcome = await MarkerImport.RunAsync(services, host, file, file.Length, "the upload", dryRun == true, context.Actor(), context.Role(), null, context.RequestAborted, confirmRemovals == true).ConfigureAwait(false);
            var warnings = outcome.Csv.Warnings.Select(w => new { line = w.Line, message = w.Message });
            if (outcome.Diff is not { } diff)
            {
                return Results.Json(new { valid = false, errors = outcome.Csv.Errors.Select(e => new { line = e.Line, message = e.Message }), warnings }, statusCode: StatusCodes.Status400BadRequest);
            }

            var summary = DiffSummary(diff);
            return outcome.Version is not { } version
                ? Results.Json(new { valid = true, dryRun = true, markers = outcome.Csv.Markers.Count, diff = summary, warnings })
                : Results.Json(new { valid = true, dryRun = false, version = version.Version, markers = version.MarkerCount, sha256 = outcome.Sha256, diff = summary, warnings });
        }).ConfigureAwait(false);
    });

    /// <summary>A diff as the upload and rollback answers show it: old → new for every changed field.</summary>
    private static object DiffSummary(MarkerListDiff diff) => new
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

    private static Task<IResult> MarkerHistoryAsync(string force, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var host = Arguments.Force(force);
        await AccessScope.RequireAsync(context, services, host.Code, "the marker list history").ConfigureAwait(false);
        var versions = await services.Markers.HistoryAsync(host.Code, context.RequestAborted).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Consult, $"markers history {host.Code}").ConfigureAwait(false);
        return ListHistory.Json(versions, "markers");
    });

    private static Task<IResult> RollbackMarkersAsync(string force, long? toVersion, bool? dryRun, bool? confirmRemovals, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var host = Arguments.Force(force);
        await AccessScope.RequireAsync(context, services, host.Code, "rolling back the marker list").ConfigureAwait(false);
        var target = toVersion ?? throw new InvalidInputException("toVersion is required (the earlier version to restore)");
        var outcome = await MarkerRollback.RunAsync(services, host, target, dryRun == true, confirmRemovals == true, context.Actor(), context.Role(), context.RequestAborted).ConfigureAwait(false);
        if (outcome.Version is not { } version)
        {
            // A preview shows personal data (the plates that would change): audited as a consultation.
            await context.RecordAsync(services, AuditActions.Consult, $"markers rollback preview {host.Code} to v{target}").ConfigureAwait(false);
            return Results.Json(new { dryRun = true, toVersion = target, diff = DiffSummary(outcome.Diff) });
        }

        return Results.Json(new { dryRun = false, toVersion = target, version = version.Version, markers = version.MarkerCount, diff = DiffSummary(outcome.Diff) });
    });

    private static Task<IResult> ListMarkersAsync(string? force, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var code = force is null ? null : Arguments.Force(force).Code;
        if (code is not null)
        {
            await AccessScope.RequireAsync(context, services, code, "the marker list").ConfigureAwait(false);
        }

        var scope = AccessScope.Of(context.User);
        var markers = (await services.Markers.GetActiveMarkersAsync(code, context.RequestAborted).ConfigureAwait(false))
            .Where(m => scope.Covers(m.HostForce.Code)).ToList();
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
        var scope = AccessScope.Of(context.User);
        var markers = (await services.Markers.FindActiveMarkersAsync(reviewDueBy: today.AddDays(days), cancellationToken: context.RequestAborted).ConfigureAwait(false))
            .Where(m => scope.Covers(m.HostForce.Code)).OrderBy(m => m.ReviewDue).ToList();
        await context.RecordAsync(services, AuditActions.Consult, "markers review-due").ConfigureAwait(false);
        return Results.Json(markers.Select(MarkerView.From), ContractJson.Options);
    });

    public sealed record ReviewRequest(string? Vrm, string? SuspectRef, string? ReviewDue, string? Note);

    private static Task<IResult> RecordReviewAsync(string force, ReviewRequest request, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        foreach (var (field, value) in new[] { ("suspectRef", request.SuspectRef), ("note", request.Note) })
        {
            if (TextLimits.Problem("POST /api/markers/{force}/review", field, value) is { } tooLong)
            {
                return ApiProblems.FieldProblem(field, tooLong);
            }
        }

        var host = Arguments.Force(force);
        await AccessScope.RequireAsync(context, services, host.Code, "reviewing a marker").ConfigureAwait(false);
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
        if (code is not null)
        {
            await AccessScope.RequireAsync(context, services, code, "alerts").ConfigureAwait(false);
        }

        // A scoped key sees only the alerts routed to its forces (camera or host force, DESIGN §4.3).
        var hits = await services.Hits.AlertedAfterAsync(from.ToUnixTimeMilliseconds() - 1, "", code, 1000, context.RequestAborted, AccessScope.Of(context.User).Filter).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Consult, $"alerts since {from:O}{(code is null ? "" : " force " + code)} ({hits.Count} rows)").ConfigureAwait(false);
        return Results.Json(hits.Select(HitView.From), ContractJson.Options);
    });

    /// <summary>An outcome as posted: <c>reason</c> is required for false-hit and no-trace and refused otherwise.</summary>
    public sealed record OutcomeRequest(string? Status, string? Reason, string? Note);

    private static Task<IResult> RecordOutcomeAsync(string hitId, OutcomeRequest request, HttpContext context, AppServices services, Board.BoardFeed feed) => ApiProblems.Guard(async () =>
    {
        if (TextLimits.Problem("POST /api/hits/{hitId}/outcome", "note", request.Note) is { } tooLong)
        {
            return ApiProblems.FieldProblem("note", tooLong);
        }

        // No default: the operator chose this status (and reason); a 400 names the field that is wrong.
        if (OutcomeStore.Validate(request.Status, request.Reason, request.Note) is { } problem)
        {
            return ApiProblems.FieldProblem(problem.Field, problem.Message);
        }

        // Outcomes only on hits routed to the key's forces. Outside them the answer is the unknown hit's 404: a 403 naming
        // the forces told another force's operator where a vehicle was seen (a cloneOfHitId is enough to ask). The
        // refusal is still audited, with the forces, for the DPO.
        if (await services.Hits.RoutingOfAsync(hitId, context.RequestAborted).ConfigureAwait(false) is { } routing
            && !AccessScope.Of(context.User).Routes(routing.CameraForce, routing.HostForce))
        {
            try
            {
                await AccessScope.Refuse(context, services, $"an outcome on hit {hitId} ({routing.CameraForce} → {routing.HostForce})").ConfigureAwait(false);
            }
            catch (OutOfScopeException)
            {
                return ApiProblems.UnknownHit(hitId);
            }
        }

        var role = context.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "unknown";
        var outcome = await services.Outcomes.RecordAsync(hitId, request.Status!, request.Reason, request.Note, context.User.Identity?.Name ?? "unknown", role, context.RequestAborted).ConfigureAwait(false);
        if (outcome is null)
        {
            return ApiProblems.UnknownHit(hitId);
        }

        // Every board open on this instance sees it at once; other instances' boards through their change cursor.
        feed.PublishOutcome(outcome);
        return Results.Text(Board.BoardJson.OutcomeNode(outcome).ToJsonString(ContractJson.Options), "application/json; charset=utf-8");
    });

    private static Task<IResult> ListHitsAsync(string? from, string? to, string? force, string? vrm, string? justification, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var (start, end) = Arguments.Period(from, to);
        Reports.ReportService.CheckAccessTier(start, services.Clock, justification);
        var code = force is null ? null : Arguments.Force(force).Code;
        if (code is not null)
        {
            await AccessScope.RequireAsync(context, services, code, "hits").ConfigureAwait(false);
        }

        var plate = vrm is null ? null : Vrm.Normalise(vrm) ?? throw new InvalidInputException("vrm is not a valid VRM");
        var (rangeStart, rangeEnd) = UkTime.Range(start, end);
        var hits = await services.Hits.QueryAsync(new HitQuery(rangeStart, rangeEnd, code, plate, RoutedTo: AccessScope.Of(context.User).Filter), context.RequestAborted).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Consult, HitLookups.AuditSubject(start, end, code, plate, hits.Count), justification).ConfigureAwait(false);
        return Results.Json(hits.Select(HitView.From), ContractJson.Options);
    });

    private static Task<IResult> EvaluationAsync(string? from, string? to, string? force, string? region, string? format, string? justification, bool? includeVrms, HttpContext context, AppServices services) => ApiProblems.Guard(async () =>
    {
        var (start, end) = Arguments.Period(from, to);
        var scope = await ReportScopeForAsync(context, services, Reports.ReportService.Scope(force, region)).ConfigureAwait(false);
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

    /// <summary>
    /// A report's scope for the caller's key: a force or region asked for must lie wholly within the key's forces (403
    /// otherwise); none asked for means the key's own scope, when a force or a region can express it.
    /// </summary>
    private static async Task<Core.Reports.ReportScope> ReportScopeForAsync(HttpContext context, AppServices services, Core.Reports.ReportScope asked)
    {
        var key = AccessScope.Of(context.User);
        if (key.IsNational)
        {
            return asked;
        }

        if (asked.Force is { } force)
        {
            await AccessScope.RequireAsync(context, services, force.Code, "a report").ConfigureAwait(false);
            return asked;
        }

        if (asked.Region is { } region)
        {
            if (!Core.Forces.ForceRegistry.InRegion(region).All(f => key.Covers(f.Code)))
            {
                await AccessScope.Refuse(context, services, $"a report for region {region}").ConfigureAwait(false);
            }

            return asked;
        }

        if (key.Forces.Count == 1 && Core.Forces.ForceRegistry.TryGet(key.Forces[0], out var only))
        {
            return new Core.Reports.ReportScope(only, null);
        }

        if (key.Region is { } own && Core.Forces.ForceRegistry.InRegion(own).Count() == key.Forces.Count)
        {
            return new Core.Reports.ReportScope(null, own);
        }

        throw new InvalidInputException($"this key covers several forces ({key.Label}): give force= one of them");
    }

    /// <summary>Undelivered notifications (<c>pending</c>, the default) or those whose last attempt failed (<c>failed</c>), oldest first.</summary>
    private static Task<IResult> ListNotificationsAsync(string? state, int? limit, HttpContext context, AppServices services, Storage.Notifications.OutboxStore outbox) => ApiProblems.Guard(async () =>
    {
        var wanted = (state ?? "pending").Trim().ToLowerInvariant();
        if (wanted is not ("pending" or "failed"))
        {
            return ApiProblems.BadRequest($"state '{state}' is not pending or failed");
        }

        var max = limit ?? 500;
        if (max is < 1 or > 10_000)
        {
            return ApiProblems.BadRequest($"limit {max} is not between 1 and 10000");
        }

        var rows = await outbox.ListAsync(wanted, max, context.RequestAborted).ConfigureAwait(false);
        await context.RecordAsync(services, AuditActions.Consult, $"notifications {wanted} ({rows.Count} rows)").ConfigureAwait(false);
        return Results.Json(rows.Select(NotificationView.From).ToList(), ContractJson.Options);
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

/// <summary>
/// A queued notification as <c>GET /api/admin/notifications</c> lists it: where it goes and how its attempts went,
/// never the alert body (it holds the plate; the alert itself is on the board and in <c>/api/hits</c>).
/// </summary>
public sealed record NotificationView(string DeliveryId, string AlertId, string HitId, string Channel, string Target, string Priority,
    DateTimeOffset CreatedAt, int Attempts, DateTimeOffset NextAttemptAt, string? LastError, DateTimeOffset? DeliveredAt)
{
    public static NotificationView From(Storage.Notifications.OutboxRow row) => new(row.DeliveryId, row.AlertId, row.HitId, row.Channel, row.Target, row.Priority,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAtMs), row.Attempts, DateTimeOffset.FromUnixTimeMilliseconds(row.NextAttemptAtMs), row.LastError,
        row.DeliveredAtMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null);
}

/// <summary>A marker as the API and <c>markers list --format json</c> show it.</summary>
public sealed record MarkerView(string MarkerId, string Vrm, string SuspectRef, string RiskLevel, string HostForce, string ReviewDue, string? Expires,
    string? Operation, string? Action, string? Contact, string MarkerType, string PlateFormat)
{
    public static MarkerView From(Marker m) => new(m.MarkerId, m.Vrm, m.SuspectRef, m.Risk.Label(), m.HostForce.Code, Output.Iso(m.ReviewDue),
        m.Expires is { } e ? Output.Iso(e) : null, m.Operation, m.Action, m.Contact, m.MarkerType, m.Format.Label());
}
