namespace AnprWatch.Hosting;

/// <summary>
/// The one removal rule of marker and location lists (Markers:MaxRemovalShare, default 20 %): a replacement or
/// rollback that would take more than that share of a force's list out of use (removed, or kept but expired or moved to
/// a risk level that does not alert) is refused unless confirmed. The callers count; this decides and words the refusal.
/// </summary>
public static class RemovalGuard
{
    /// <param name="items">what the list holds, as the refusal names it ("active markers", "locations").</param>
    /// <param name="effect">what losing them means ("out of matching", "out of use").</param>
    public static void Check(AppServices services, string forceCode, int current, int removed, int switchedOff, bool confirmed, string what, string items, string effect)
    {
        var lost = removed + switchedOff;
        var share = services.Options.MaxMarkerRemovalShare;
        if (confirmed || current == 0 || lost <= share * current)
        {
            return;
        }

        throw new RemovalNotConfirmedException(
            $"{what} would take {lost:N0} of the {current:N0} {items} of {forceCode} {effect} " +
            $"({removed:N0} removed, {switchedOff:N0} expired or lowered to a risk level that does not alert; " +
            $"{100.0 * lost / current:0.#} %, more than Markers:MaxRemovalShare, {100 * share:0.#} %): is the export complete? " +
            "Nothing was changed. Check the file (--dry-run shows the diff), then confirm with --confirm-removals (API: confirmRemovals=true; on the web page, a second click).");
    }
}
