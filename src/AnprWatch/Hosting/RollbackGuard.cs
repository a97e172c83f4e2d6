using AnprWatch.Cli;

namespace AnprWatch.Hosting;

/// <summary>
/// The one no-op rule of marker and location rollbacks: a rollback whose target holds exactly the active list changes
/// nothing but would add an identical version to the history and the audit, so it is refused, preview included.
/// </summary>
public static class RollbackGuard
{
    /// <param name="list">what the list is, as the refusal names it ("marker list", "location list").</param>
    public static void RefuseIfUnchanged(bool unchanged, long target, long active, string forceCode, string list)
    {
        if (!unchanged)
        {
            return;
        }

        // The version number alone is not enough: repeating a rollback (a second click, the command run again) asks for
        // the version the active one already restored, and would add another identical version.
        throw new InvalidInputException(target == active
            ? $"version {target} is already {forceCode}'s active {list}: nothing to roll back"
            : $"version {target} holds exactly {forceCode}'s active {list} (version {active}): nothing to roll back");
    }
}
