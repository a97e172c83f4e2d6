using System.Data.Common;
using AnprWatch.Core.Pipeline;
using Confluent.Kafka;
using Microsoft.Data.Sqlite;
using Polly.CircuitBreaker;

namespace AnprWatch.Worker;

/// <summary>
/// Sorts a failed batch's exception into the two kinds the worker treats differently. Transient: the store or broker
/// is away, busy or full, and the same batch will succeed later, so it is retried without end (skipping would lose
/// hits). Deterministic: the same input fails the same way every time (a constraint, a statement the server refuses,
/// a bug), so retrying would stall the partition for good; the worker isolates the reads that cause it instead.
/// </summary>
public static class FailureClassifier
{
    // SQLite primary result codes that mean "not now": BUSY, LOCKED, NOMEM, READONLY (a volume remounted), IOERR,
    // CORRUPT/NOTADB (a file replaced under us: wait for the real one), FULL, CANTOPEN (file or volume gone), PROTOCOL.
    private static readonly HashSet<int> TransientSqlite = [5, 6, 7, 8, 10, 11, 13, 14, 15, 26];

    // SQL Server errors that a well-formed statement can never cure by retrying: syntax, bad names, too many
    // parameters, conversion, truncation, arithmetic overflow, constraint violations.
    private static readonly HashSet<int> DeterministicSqlServer = [102, 105, 156, 207, 208, 245, 515, 547, 2601, 2627, 2628, 8114, 8115, 8152, 8003, 8623, 8632];

    /// <summary>
    /// Errors that say the store itself is wrong for this version (a missing table or column, a swapped file), not that
    /// one read is: every hit would fail the same way, so isolating reads would dead-letter every hit. The worker stops
    /// (exit 1) instead; nothing is committed past the batch, so no hit is lost.
    /// </summary>
    public static bool IsFatal(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 1 } => true, // SQLITE_ERROR: no such table / column, syntax
        Microsoft.Data.SqlClient.SqlException sql => sql.Number is 207 or 208 or 4104 or 2812 || IsPermissionDenied(sql),
        AggregateException { InnerExceptions.Count: > 0 } aggregate => aggregate.InnerExceptions.Any(IsFatal),

        // A refused grant wrapped by a delivery step (alert delivery recorded in the store, the notification outbox)
        // or by the store guard is still a refused grant: no retry cures it, serve exits 2 naming logins.sql.
        _ => IsPermissionDenied(exception),
    };

    /// <summary>
    /// SQL Server refused the app's login a permission (229 object, 230 column, 262 statement, 300 server): after an
    /// upgrade whose deploy/sql/logins.sql grants were not applied. No retry cures it; serve exits 2 saying so.
    /// </summary>
    public static bool IsPermissionDenied(Exception exception) => PermissionDenial(exception) is not null;

    /// <summary>
    /// The one line an operator reads when the store refuses a permission, wherever it happens (start-up schema check,
    /// store identity, a batch, a probe): what was refused and the fix. The same text everywhere, so a runbook can grep it.
    /// </summary>
    public static string DescribePermissionDenied(Exception exception)
        => $"the store refused this login a permission ({PermissionDenial(exception)?.Message ?? exception.Message}): " +
           "re-run deploy/sql/logins.sql for this version (as a DBA), then start serve again";

    /// <summary>The refusal itself, wherever it is wrapped: the one place the four numbers are listed.</summary>
    private static Microsoft.Data.SqlClient.SqlException? PermissionDenial(Exception exception) => exception switch
    {
        Microsoft.Data.SqlClient.SqlException { Number: 229 or 230 or 262 or 300 } sql => sql,
        AggregateException aggregate => aggregate.InnerExceptions.Select(PermissionDenial).FirstOrDefault(e => e is not null),
        _ => exception.InnerException is { } inner ? PermissionDenial(inner) : null,
    };

    /// <summary>What /readyz and the log say about a corrupt SQLite store, word for word (docs/RELIABILITY.md).</summary>
    public const string CorruptStore = "the store file is corrupt: restore it (docs/OPERATIONS.md)";

    /// <summary>
    /// SQLITE_CORRUPT (11, and its extended codes). Kept transient (pause, retry): a file replaced under a pooled
    /// connection reads as corrupt until the guard sees the swap, and a restore cures it with no restart. What it must
    /// not be is quiet: every report of it says <see cref="CorruptStore"/>.
    /// </summary>
    public static bool IsCorrupt(Exception exception) => exception switch
    {
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) == 11,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsCorrupt),
        _ => exception.InnerException is { } inner && IsCorrupt(inner),
    };

    /// <summary>A failed batch's error as the operator reads it: the fix named when there is one, else the message.</summary>
    public static string Describe(Exception exception)
        => IsCorrupt(exception) ? $"{CorruptStore} ({exception.Message})"
            : IsPermissionDenied(exception) ? DescribePermissionDenied(exception)
            : exception.Message;

    public static bool IsTransient(Exception exception) => exception switch
    {
        // Whatever wraps it (DeliveryFailedException, StoreUnavailableException), a permission refusal is never retried.
        _ when IsPermissionDenied(exception) => false,

        // A destination that fails (a full disk, outputs owned by another user, the broker refusing) is never a read's
        // fault, and neither is permission denied on the store or the inbox: pause until an operator fixes it.
        StoreUnavailableException or DeliveryFailedException or IOException or UnauthorizedAccessException or TimeoutException or BrokenCircuitException => true,

        // A message too large for the broker will be too large on every retry.
        KafkaException kafka => !kafka.Error.IsFatal && kafka.Error.Code is not (ErrorCode.MsgSizeTooLarge or ErrorCode.InvalidMsg or ErrorCode.InvalidMsgSize),

        // SqlClient reports an exhausted connection pool as InvalidOperationException: busy, not broken.
        InvalidOperationException pool when pool.Message.Contains("pool", StringComparison.OrdinalIgnoreCase) => true,
        SqliteException sqlite => TransientSqlite.Contains(sqlite.SqliteErrorCode & 0xFF),
        Microsoft.Data.SqlClient.SqlException sql => !DeterministicSqlServer.Contains(sql.Number) && !IsFatal(sql),
        DbException db => db.IsTransient,
        AggregateException { InnerExceptions.Count: > 0 } aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => false,
    };
}

/// <summary>The configured store is missing or is not the one the worker started with: wait for it, never write elsewhere.</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>The store is not the one <c>Storage:ExpectedStoreId</c> pins: a configuration error (exit 2), never adopted.</summary>
public sealed class StoreMismatchException(string message) : Cli.InvalidInputException(message);
