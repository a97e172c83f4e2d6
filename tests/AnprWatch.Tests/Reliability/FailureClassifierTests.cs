using AnprWatch.Core.Pipeline;
using AnprWatch.Worker;
using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests.Reliability;

/// <summary>
/// How the worker treats a failed batch, as a literal table: retried (transient), isolated read by read
/// (deterministic), or stopping serve (fatal). The SQLite codes are from sqlite3.h; the table is the specification.
/// </summary>
public class FailureClassifierTests
{
    public enum Kind
    {
        Transient,
        Deterministic,
        Fatal,
    }

    private static readonly object[] Cases =
    [
        new object[] { "SQLITE_BUSY", new SqliteException("database is locked", 5), Kind.Transient },
        new object[] { "SQLITE_LOCKED", new SqliteException("table is locked", 6), Kind.Transient },
        new object[] { "SQLITE_READONLY", new SqliteException("attempt to write a readonly database", 8), Kind.Transient },
        new object[] { "SQLITE_IOERR extended (IOERR_WRITE)", new SqliteException("disk I/O error", 10 | (3 << 8)), Kind.Transient },
        new object[] { "SQLITE_FULL", new SqliteException("database or disk is full", 13), Kind.Transient },
        new object[] { "SQLITE_CANTOPEN", new SqliteException("unable to open database file", 14), Kind.Transient },
        new object[] { "SQLITE_CORRUPT (a file replaced under us: the guard decides)", new SqliteException("database disk image is malformed", 11), Kind.Transient },
        new object[] { "SQLITE_NOTADB", new SqliteException("file is not a database", 26), Kind.Transient },
        new object[] { "SQLITE_ERROR (no such table)", new SqliteException("no such table: hits", 1), Kind.Fatal },
        new object[] { "SQLITE_CONSTRAINT", new SqliteException("CHECK constraint failed", 19), Kind.Deterministic },
        new object[] { "SQLITE_TOOBIG", new SqliteException("string or blob too big", 18), Kind.Deterministic },
        new object[] { "SQLITE_MISMATCH", new SqliteException("datatype mismatch", 20), Kind.Deterministic },
        new object[] { "a full disk writing the alerts file", new IOException("No space left on device"), Kind.Transient },
        new object[] { "outputs owned by another user", new UnauthorizedAccessException("Access to the path is denied"), Kind.Transient },
        new object[] { "the store swapped (guard)", new StoreUnavailableException("replaced"), Kind.Transient },
        new object[] { "an alert sink that refused", new DeliveryFailedException("alerts", new IOException("broken pipe")), Kind.Transient },
        new object[] { "a timeout", new TimeoutException(), Kind.Transient },
        new object[] { "a bug: null reference", new NullReferenceException(), Kind.Deterministic },
        new object[] { "a bug: argument out of range", new ArgumentOutOfRangeException("x"), Kind.Deterministic },
        new object[] { "an exhausted SqlClient pool", new InvalidOperationException("Timeout expired. The timeout period elapsed prior to obtaining a connection from the pool."), Kind.Transient },
        new object[] { "any other invalid operation", new InvalidOperationException("Sequence contains no elements"), Kind.Deterministic },
        new object[] { "all parts transient", new AggregateException(new IOException("a"), new TimeoutException()), Kind.Transient },
        new object[] { "one part a bug", new AggregateException(new IOException("a"), new NullReferenceException()), Kind.Deterministic },
        new object[] { "SQL Server 229: SELECT denied on an object (logins.sql not applied)", SqlErrors.Create(229, "The SELECT permission was denied on the object 'hits'."), Kind.Fatal },
        new object[] { "SQL Server 230: denied on a column", SqlErrors.Create(230, "The SELECT permission was denied on the column 'review_date'."), Kind.Fatal },
        new object[] { "SQL Server 262: CREATE permission denied", SqlErrors.Create(262, "CREATE TABLE permission denied in database 'anprwatch'."), Kind.Fatal },
        new object[] { "SQL Server 300: VIEW SERVER STATE denied", SqlErrors.Create(300, "VIEW SERVER STATE permission was denied on object 'server'."), Kind.Fatal },
        new object[] { "SQL Server 1205: a deadlock victim", SqlErrors.Create(1205, "Transaction was deadlocked"), Kind.Transient },
        new object[] { "SQL Server 2627: a unique key violated", SqlErrors.Create(2627, "Violation of PRIMARY KEY constraint"), Kind.Deterministic },
        new object[] { "one part a schema error", new AggregateException(new IOException("a"), new SqliteException("no such column: lane", 1)), Kind.Fatal },
    ];

    [TestCase("recording alert delivery")]
    [TestCase("the alert sink")]
    [TestCase("the dead-letter sink")]
    public void A_permission_refusal_wrapped_by_a_delivery_step_or_the_store_guard_is_fatal_and_never_retried(string destination)
    {
        // Alert delivery is recorded in the store (UPDATE on hits) and the notification outbox is a table: a login
        // refused those grants fails inside DeliverAsync, which wraps every failure as DeliveryFailedException. That
        // wrapper made the refusal transient, so the worker retried the batch for ever (re-publishing its alerts each
        // time) with a Warning, instead of exiting 2 naming logins.sql like a refused hit insert.
        var refused = SqlErrors.Create(229, "The UPDATE permission was denied on the object 'hits', database 'anprwatch', schema 'dbo'.");
        foreach (var failure in new Exception[] { new DeliveryFailedException(destination, refused), new StoreUnavailableException("probe", refused) })
        {
            Assert.Multiple(() =>
            {
                Assert.That(FailureClassifier.IsFatal(failure), Is.True, failure.Message);
                Assert.That(FailureClassifier.IsTransient(failure), Is.False, "the retry policy handles only transient failures: " + failure.Message);
            });
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Each_failure_is_retried_isolated_or_fatal_as_the_table_says(string what, Exception failure, Kind expected)
    {
        // The worker's order: fatal first (BatchRunner), then transient (the retry policy), else deterministic.
        var actual = FailureClassifier.IsFatal(failure) ? Kind.Fatal
            : FailureClassifier.IsTransient(failure) ? Kind.Transient
            : Kind.Deterministic;
        Assert.That(actual, Is.EqualTo(expected), what);
    }
}
